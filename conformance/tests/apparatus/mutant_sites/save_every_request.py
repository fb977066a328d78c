"""The reference site after a settings change (a team turning on SESSION_SAVE_EVERY_REQUEST): the
regression gate must notice what that changes for the profiles that do not set it themselves."""

from target_site.settings import *  # noqa: F401,F403  the reference site as the suite configures it

SESSION_SAVE_EVERY_REQUEST = True
