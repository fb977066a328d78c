"""What is judged, and what it promises: the reference profiles, the reference site's servers, a
deployment found through its probe or described by a black-box config, each becoming Targets
(where the site is, its effective SESSION_* settings, what it offers) and a Promise (what
Django's documentation says those settings mean)."""
