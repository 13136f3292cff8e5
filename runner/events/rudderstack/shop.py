"""What a visitor does in one sitting: pages (or app screens), product views, carts, checkouts,
signing up and logging in — as RudderStack calls handed to the `Emitter`."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import cache

from sluice.events.rudderstack.calls import DAY_MS, HOUR_MS, Device, Emitter, Owed, Visit, uuid4
from sluice.events.rudderstack.schema import (
    CHECKOUT_STEP_COMPLETED,
    ORDER_COMPLETED,
    PRODUCT_ADDED,
    PRODUCT_VIEWED,
    SIGNED_UP,
    Table,
)
from sluice.events.rudderstack.site import (
    CATEGORIES,
    COUPONS,
    DIRECT,
    EMAIL_DOMAINS,
    LANDINGS,
    PAYMENT_METHODS,
    PRODUCTS,
    SHIPPING_METHODS,
    SITE,
    Landing,
    Product,
)


@dataclass(frozen=True)
class View:
    """A page of the site, or the app screen showing the same thing."""

    name: str
    path: str
    title: str
    category: str | None = None
    product: Product | None = None


HOME = View("Home", "/", "Example Shop")
CATEGORY_VIEWS = tuple(View("Category", f"/c/{c.lower()}", f"{c} | Example Shop", c) for c in CATEGORIES)
PRODUCT_VIEWS = tuple(View("Product", p.path, f"{p.name} ({p.variant}) | Example Shop", p.category, p)
                      for p in PRODUCTS)
CART, CHECKOUT = View("Cart", "/cart", "Your cart"), View("Checkout", "/checkout", "Checkout")
CONFIRMATION = View("Order Confirmation", "/checkout/complete", "Thank you for your order")
SIGNUP, LOGIN = View("Sign Up", "/signup", "Create your account"), View("Login", "/login", "Sign in")
_NO_CAMPAIGN: dict = {}


@dataclass(eq=False)
class User:
    """Someone with an account: traits as identify sends them, and the identity the SDK then
    copies onto every call (both replaced when a trait changes, never changed in place)."""

    user_id: str
    traits: dict
    identity: dict
    sends_created_at: bool
    #: where the user may move to (a trait change)
    states: tuple[str, ...]
    signed_up: bool = False


@cache
def product_properties(product: Product) -> dict:
    return {"product_id": product.product_id, "sku": product.sku, "category": product.category,
            "name": product.name, "brand": product.brand, "variant": product.variant,
            "price": product.price_cents / 100, "url": f"https://{SITE}{product.path}",
            "image_url": f"https://cdn.{SITE}/img/{product.sku.lower()}.jpg"}


@cache
def _event(table: Table) -> dict:
    return {"event": table.name, "event_text": table.event_text}


def _money(cents: int) -> float:
    return round(cents / 100, 2)


class Shop:
    """One sitting at a time; the simulation decides who, where, when and which hazards."""

    def __init__(self, rng: random.Random, emit: Emitter, owed: Owed, orders_from_ms: int, coupons_from_ms: int,
                 fractions: dict[str, float]):
        self.rng, self.emit, self.owed = rng, emit, owed
        self.orders_from_ms, self.coupons_from_ms = orders_from_ms, coupons_from_ms
        self.f = fractions
        self.orders = 0

    def sitting(self, visit: Visit, t: int, user: User | None, signing_up: bool, pages: int) -> int:
        """Browse `pages` views from `t` (landing first), sign up or log in when due, maybe check
        out; return the time of the sitting's last moment."""
        rng, device = self.rng, visit.device
        must_buy = (t >= self.orders_from_ms and self.owed.due("order")) or (
            t >= self.coupons_from_ms and self.owed.due("coupon"))
        # a product first when this sitting must buy or owes an exact idle gap after a product view
        first = PRODUCT_VIEWS if must_buy or visit.exact_gaps else (HOME, HOME, *CATEGORY_VIEWS, *PRODUCT_VIEWS)
        view = rng.choice(first)
        landing = None if device.app else rng.choice(LANDINGS)
        for n in range(pages):
            t = self.show(visit, t, view, landing if n == 0 else None)
            if n == 0 and user is not None:
                t = self.sign_up(visit, t, user) if signing_up else self.log_in(visit, t, user)
            if view.product is not None:
                t = self.view_product(visit, t, view.product, n + 1, must_buy and not device.cart)
            t += self.dwell()
            view = rng.choice(PRODUCT_VIEWS) if rng.random() < 0.6 else rng.choice((HOME, *CATEGORY_VIEWS))
        if device.cart and (must_buy or rng.random() < 0.35):
            t = self.check_out(visit, t)
        return t

    def dwell(self) -> int:
        return 2_000 + min(int(self.rng.expovariate(1 / 40_000)), 10 * 60_000)

    def show(self, visit: Visit, t: int, view: View, landing: Landing | None = None) -> int:
        """A page call (browser) or screen call (app); the calls after it are made on that page."""
        if visit.device.app:
            self.emit.client(visit, t, "screens", {"name": view.name})
            return t + self.rng.randint(300, 2_000)
        device = visit.device
        query = landing.query if landing else None
        url = f"https://{SITE}{view.path}" + (f"?{query}" if query else "")
        if landing is not None:
            referrer, domain = landing.referrer, landing.referring_domain or None
            device.initial = device.initial or (referrer, domain)
            visit.campaign = landing.campaign() if query else _NO_CAMPAIGN
        else:
            referrer, domain = visit.page.get("context_page_url") or DIRECT, SITE
            visit.campaign = _NO_CAMPAIGN
        initial = device.initial or (DIRECT, None)
        page = {"url": url, "path": view.path, "title": view.title, "search": f"?{query}" if query else None,
                "referrer": referrer, "referring_domain": domain if referrer != DIRECT else None, "tab_url": url,
                "initial_referrer": initial[0], "initial_referring_domain": initial[1]}
        visit.page = {f"context_page_{key}": value for key, value in page.items()}
        self.emit.client(visit, t, "pages", {"name": view.name, "category": view.category, **page})
        return t + self.rng.randint(300, 2_000)

    def track(self, visit: Visit, t: int, table: Table, props: dict) -> int | None:
        return self.emit.client(visit, t, table.name, _event(table), props)

    def view_product(self, visit: Visit, t: int, product: Product, position: int, must_add: bool) -> int:
        """Product Viewed, then perhaps Product Added — after an idle gap of exactly the visit's
        next `exact_gaps` entry when it has one (the sessionization cutoff boundary)."""
        rng, device = self.rng, visit.device
        exact_gap = visit.exact_gaps.pop(0) if visit.exact_gaps else None
        visit.exact = exact_gap is not None
        props = product_properties(product)
        viewed = self.track(visit, t, PRODUCT_VIEWED, {**props, "position": position, "currency": "USD"})
        if not (exact_gap or must_add or rng.random() < 0.3):
            return t + rng.randint(500, 5_000)
        t += exact_gap or rng.randint(3_000, 90_000)
        if device.cart_id is None:
            device.cart_id = uuid4(rng)
        quantity = 1 if rng.random() < 0.8 else rng.randint(2, 3)
        device.cart.append((product, quantity))
        added = self.track(visit, t, PRODUCT_ADDED, {"cart_id": device.cart_id, **props, "quantity": quantity,
                                                     "position": position})
        if exact_gap and viewed is not None and added is not None:
            self.owed.pay(f"gap_{exact_gap}")
        visit.exact = False
        return t + rng.randint(500, 5_000)

    def sign_up(self, visit: Visit, t: int, user: User) -> int:
        """The sign-up form: identify (with created_at when the app sends it), Signed Up, and
        sometimes an alias from the browser; a backend job may alias again the next night."""
        rng, device = self.rng, visit.device
        t = self.show(visit, t, SIGNUP) + rng.randint(20_000, 120_000)
        if user.sends_created_at:
            replace_traits(user, {"created_at": self.emit.clock.text(t)})
        user.signed_up = True
        anonymous_before = device.first_track_batch
        device.identity = user.identity
        identified = self.emit.client(visit, t, "identifies", user.traits)
        if identified is not None and anonymous_before is not None and identified > anonymous_before:
            self.owed.pay("late_identify")
        t += rng.randint(200, 900)
        self.track(visit, t, SIGNED_UP, {"method": rng.choice(("email", "email", "google", "apple"))})
        if rng.random() < self.f["alias"]:
            t += rng.randint(50, 400)
            self.emit.client(visit, t, "aliases", {"previous_id": device.anonymous_id})
        self.backfill_alias(t, user.user_id, device)
        return t

    def backfill_alias(self, signed_up_at: int, user_id: str, device: Device) -> None:
        """Maybe the CRM's nightly job aliases the sign-up's anonymous id, stamping the sign-up
        time: a row that arrives later than the events it explains, with an older timestamp."""
        job = (signed_up_at // DAY_MS + 1) * DAY_MS + 3 * HOUR_MS + self.rng.randint(0, 50 * 60_000)
        anonymous_before = device.first_track_batch
        owed = self.owed.due("late_alias") and anonymous_before is not None and \
            self.emit.t.batch_of(job) > anonymous_before
        if not owed and self.rng.random() >= self.f["late_alias"]:
            return
        batch = self.emit.server(signed_up_at, "aliases", {"previous_id": device.anonymous_id},
                                 {"user_id": user_id}, sent=job)
        if batch is not None and anonymous_before is not None and batch > anonymous_before:
            self.owed.pay("late_alias")

    def log_in(self, visit: Visit, t: int, user: User) -> int:
        """Log in where the SDK does not know this user yet (a new device, or a shared one still
        holding someone else's id); an identify now and then also updates a trait."""
        rng, device = self.rng, visit.device
        if device.identity.get("user_id") == user.user_id and rng.random() >= 0.1:
            return t
        if device.identity.get("user_id") != user.user_id:
            t = self.show(visit, t, LOGIN) + rng.randint(5_000, 40_000)
        if self.owed.due("trait_change") or rng.random() < self.f["trait_change"]:
            change_a_trait(rng, user)
            self.owed.pay("trait_change")
        device.identity = user.identity
        self.emit.client(visit, t, "identifies", user.traits)
        return t + rng.randint(200, 900)

    def check_out(self, visit: Visit, t: int) -> int:
        rng, device = self.rng, visit.device
        t = self.show(visit, t, CART) + self.dwell()
        t = self.show(visit, t, CHECKOUT)
        checkout_id = uuid4(rng)
        for step, key, choices in ((1, "shipping_method", SHIPPING_METHODS), (2, "payment_method", PAYMENT_METHODS)):
            t += rng.randint(15_000, 120_000)
            self.track(visit, t, CHECKOUT_STEP_COMPLETED, {"checkout_id": checkout_id, "step": step,
                                                           key: rng.choice(choices)})
        t = self.show(visit, t + rng.randint(1_000, 4_000), CONFIRMATION)
        if t >= self.orders_from_ms:  # Order Completed was added to the tracking plan mid-history
            self.complete_order(visit, t, checkout_id)
        device.cart, device.cart_id = [], None
        return t

    def complete_order(self, visit: Visit, t: int, checkout_id: str) -> None:
        """Order Completed from the browser/app, or from the backend — which sometimes lost both ids."""
        rng, owed, device = self.rng, self.owed, visit.device
        coupon = rng.choice(COUPONS) if t >= self.coupons_from_ms and (
            owed.due("coupon") or rng.random() < self.f["coupon"]) else None
        self.orders += 1
        props = order_properties(device.cart, coupon, checkout_id, f"ORD-{self.orders:07d}")
        nobody = owed.due("server_anonymous") or rng.random() < self.f["anonymous_server"]
        if owed.due("server_anonymous") or rng.random() < self.f["server_order"]:
            ids = {"anonymous_id": None, "user_id": None} if nobody else {
                "anonymous_id": device.anonymous_id, "user_id": device.identity.get("user_id")}
            batch = self.emit.server(t, ORDER_COMPLETED.name, _event(ORDER_COMPLETED), ids, props)
            if batch is not None and nobody:
                owed.pay("server_anonymous")
        else:
            batch = self.track(visit, t, ORDER_COMPLETED, props)
        if batch is not None:
            owed.pay("order")
            if coupon:
                owed.pay("coupon")


def order_properties(cart: list[tuple[Product, int]], coupon: str | None, checkout_id: str, order_id: str) -> dict:
    """Order Completed's properties: money in the spec's sense (total includes shipping and tax,
    revenue does not) and `products` as the JSON text RudderStack stores for an array."""
    subtotal = sum(p.price_cents * q for p, q in cart)
    discount = {"WELCOME10": subtotal // 10, "SPRING15": subtotal * 15 // 100}.get(coupon or "", 0)
    shipping = 0 if coupon == "FREESHIP" or subtotal >= 10_000 else 599
    tax = round((subtotal - discount) * 0.08)
    products = [{**product_properties(p), "quantity": q, "position": i} for i, (p, q) in enumerate(cart, 1)]
    return {"checkout_id": checkout_id, "order_id": order_id, "affiliation": "Example Shop",
            "subtotal": _money(subtotal), "total": _money(subtotal - discount + shipping + tax),
            "revenue": _money(subtotal - discount), "shipping": _money(shipping), "tax": _money(tax),
            "discount": _money(discount), "coupon": coupon, "currency": "USD",
            "products": json.dumps(products, separators=(",", ":"), ensure_ascii=False)}


def replace_traits(user: User, changes: dict) -> None:
    user.traits = {**user.traits, **changes}
    user.identity = {**user.identity, **{f"context_traits_{k}": v for k, v in changes.items()}}


def change_a_trait(rng: random.Random, user: User) -> None:
    """The user changed email address or moved house."""
    if rng.random() < 0.5:
        local, _, domain = user.traits["email"].partition("@")
        replace_traits(user, {"email": f"{local}@{rng.choice([d for d in EMAIL_DOMAINS if d != domain])}"})
    else:
        state = user.traits["address_state"]
        replace_traits(user, {"address_state": rng.choice([s for s in user.states if s != state])})
