from django.http import HttpResponse
from django.urls import path


def cart(request):
    """Adds an item to the cart kept in the session."""
    items = request.session.get("cart", [])
    request.session["cart"] = [*items, request.GET.get("item", "tea")]
    return HttpResponse(f"{len(request.session['cart'])} items")


urlpatterns = [path("cart/", cart)]
