"""A small stateful stand-in for the parts of Stripe's API that localstripe lacks — Connect accounts and account
links, Checkout Sessions and their hosted payment page, Prices, billing-portal sessions — answering over HTTP
with Stripe's documented object shapes, so product code still goes through stripe-python over HTTP. Everything
else (PaymentIntents, charges, refunds, customers...) is passed through to localstripe. Like Stripe, it honours
Idempotency-Key on every POST: the same key on the same account gets the same answer.

This is a test double, not a mock of our code: it stands where Stripe stands, and the tests say so.
When the hosted payment page is paid, it makes a real PaymentIntent in localstripe and emits the events Stripe
would (checkout.session.completed, payment_intent.succeeded), signed as Stripe signs them; they are kept for the
test to deliver, or posted to a webhook URL when one is configured (the browser test's live server).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import urllib3
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header, exactly as Stripe documents it: t=<unix time>,v1=<HMAC-SHA256 hex>."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def event(kind: str, obj: dict, account: str | None) -> dict:
    """An event object in Stripe's shape (Connect events carry the connected account)."""
    body = {
        "id": "evt_" + secrets.token_hex(12),
        "object": "event",
        "api_version": "2025-10-29.clover",
        "created": int(time.time()),
        "type": kind,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": obj},
    }
    if account:
        body["account"] = account
    return body


def decode_form(body: str) -> dict:
    """Stripe's form encoding (a[b][0][c]=v) back to nested dicts and lists."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(root)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        converted = {k: _lists(v) for k, v in node.items()}
        if converted and all(k.isdigit() for k in converted):
            return [converted[k] for k in sorted(converted, key=int)]
        return converted
    return node


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class StripeStandIn:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.http = urllib3.PoolManager()
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.accounts: dict[str, dict] = {}
        self.sessions: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.links: dict[str, dict] = {}
        self.idempotent: dict[tuple, tuple[int, bytes]] = {}
        self.requests: list[dict] = []
        self.events: list[dict] = []
        self.webhook_url: str | None = None
        self.secret = "whsec_test"
        self.event_order = ("checkout.session.completed", "payment_intent.succeeded")

    # --- serving ------------------------------------------------------------------------------------------

    def start(self, port: int) -> str:
        self.base = f"http://127.0.0.1:{port}"
        self.server = make_server("127.0.0.1", port, self, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.base

    def stop(self) -> None:
        self.server.shutdown()

    def __call__(self, environ, start_response):
        request = Request(environ)
        return self.route(request)(environ, start_response)

    def route(self, request: Request) -> Response:
        path, method = request.path, request.method
        account = request.headers.get("Stripe-Account")
        key = request.headers.get("Idempotency-Key")
        body = request.get_data(as_text=True)
        if path.startswith("/v1/"):
            self.requests.append({"method": method, "path": path, "account": account, "idempotency_key": key})
        if method == "POST" and key:
            with self.lock:
                cached = self.idempotent.get((account, key))
                if cached is None:
                    cached = self._answer(request, body)
                    self.idempotent[(account, key)] = cached
            status, data = cached
            return Response(data, status, content_type="application/json")
        if path.startswith(("/pay/", "/connect/")):
            return self._page(request)
        if not path.startswith("/v1/"):
            return Response(status=204)  # a browser's /favicon.ico on the hosted pages
        status, data = self._answer(request, body)
        return Response(data, status, content_type="application/json")

    def _answer(self, request: Request, body: str) -> tuple[int, bytes]:
        params = decode_form(body) if body else dict(request.args)
        path, method = request.path, request.method
        account = request.headers.get("Stripe-Account")
        handlers = [
            ("POST", r"/v1/accounts", self._create_account),
            ("GET", r"/v1/accounts/(acct_\w+)", self._get_account),
            ("POST", r"/v1/account_links", self._create_link),
            ("POST", r"/v1/checkout/sessions", self._create_session),
            ("GET", r"/v1/checkout/sessions/(cs_\w+)", self._get_session),
            ("POST", r"/v1/checkout/sessions/(cs_\w+)/expire", self._expire_session),
            ("GET", r"/v1/subscriptions/(sub_\w+)", self._get_subscription),
            ("POST", r"/v1/billing_portal/sessions", self._portal_session),
        ]
        for verb, pattern, handler in handlers:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                status, obj = handler(params, account, *match.groups())
                return status, json.dumps(obj).encode()
        return self._proxy(request, body)

    def _proxy(self, request: Request, body: str) -> tuple[int, bytes]:
        headers = {
            "Authorization": request.headers.get("Authorization", ""),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        url = f"{self.upstream}{request.full_path.rstrip('?')}"
        answer = self.http.request(request.method, url, body=body or None, headers=headers)
        return answer.status, answer.data

    # --- Connect --------------------------------------------------------------------------------------------

    def _create_account(self, params, _account):
        account = {
            "id": _id("acct"),
            "object": "account",
            "type": params.get("type", "standard"),
            "email": params.get("email"),
            "charges_enabled": False,
            "details_submitted": False,
            "payouts_enabled": False,
            "metadata": params.get("metadata", {}),
        }
        self.accounts[account["id"]] = account
        return 200, account

    def _get_account(self, _params, _account, account_id):
        found = self.accounts.get(account_id)
        return (
            (200, found) if found else (404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}})
        )

    def _create_link(self, params, _account):
        token = secrets.token_hex(8)
        self.links[token] = params
        url = f"{self.base}/connect/onboard/{params['account']}/{token}"
        return 200, {
            "object": "account_link",
            "created": int(time.time()),
            "expires_at": int(time.time()) + 300,
            "url": url,
        }

    # --- Checkout -------------------------------------------------------------------------------------------

    def _create_session(self, params, account):
        if params.get("mode") == "subscription":
            return self._subscription_session(params, account)
        if not account:
            return 400, {"error": {"type": "invalid_request_error", "message": "direct charges need Stripe-Account"}}
        items = params.get("line_items", [])
        total = sum(int(i["price_data"]["unit_amount"]) * int(i.get("quantity", 1)) for i in items)
        session = {
            "id": _id("cs_test"),
            "object": "checkout.session",
            "mode": params.get("mode"),
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": total,
            "currency": items[0]["price_data"]["currency"] if items else None,
            "customer_email": params.get("customer_email"),
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "payment_intent": None,
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "locale": params.get("locale"),
            "_intent_metadata": (params.get("payment_intent_data") or {}).get("metadata", {}),
            "_account": account,
            "_line_items": items,
        }
        session["url"] = f"{self.base}/pay/{session['id']}"
        self.sessions[session["id"]] = session
        return 200, self._public(session)

    def _subscription_session(self, params, account):
        """Subscription mode, on the platform's own account (no Stripe-Account): a customer and a Price."""
        if account or not params.get("customer"):
            return 400, {"error": {"type": "invalid_request_error", "message": "a platform customer is needed"}}
        session = {
            "id": _id("cs_test"),
            "object": "checkout.session",
            "mode": "subscription",
            "status": "open",
            "payment_status": "unpaid",
            "customer": params["customer"],
            "subscription": None,
            "metadata": params.get("metadata", {}),
            "client_reference_id": params.get("client_reference_id"),
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "_price": params["line_items"][0]["price"],
            "_subscription_metadata": (params.get("subscription_data") or {}).get("metadata", {}),
            "_account": None,
            "_line_items": [{"price_data": {"product_data": {"name": params["line_items"][0]["price"]}}}],
            "amount_total": 0,
            "currency": "cny",
        }
        session["url"] = f"{self.base}/pay/{session['id']}"
        self.sessions[session["id"]] = session
        return 200, self._public(session)

    def _get_subscription(self, _params, _account, subscription_id):
        found = self.subscriptions.get(subscription_id)
        return (200, found) if found else (404, {"error": {"code": "resource_missing"}})

    def _portal_session(self, params, account):
        if account or not params.get("customer"):
            return 400, {"error": {"type": "invalid_request_error"}}
        url = f"{self.base}/billing/{params['customer']}"
        return 200, {
            "id": _id("bps"),
            "object": "billing_portal.session",
            "url": url,
            "return_url": params.get("return_url"),
        }

    def set_subscription(self, subscription_id: str, status: str) -> dict:
        """What Stripe does as a subscription's payments succeed, fail, or it is cancelled."""
        sub = self.subscriptions[subscription_id]
        sub["status"] = status
        kind = "customer.subscription.deleted" if status == "canceled" else "customer.subscription.updated"
        body = event(kind, dict(sub), None)
        self.emit(body)
        return body

    def _get_session(self, _params, _account, session_id):
        found = self.sessions.get(session_id)
        return (200, self._public(found)) if found else (404, {"error": {"code": "resource_missing"}})

    def _expire_session(self, _params, _account, session_id):
        found = self.sessions[session_id]
        found["status"] = "expired"
        return 200, self._public(found)

    @staticmethod
    def _public(session: dict) -> dict:
        return {k: v for k, v in session.items() if not k.startswith("_")}

    # --- the hosted pages -----------------------------------------------------------------------------------

    def _page(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        if parts[0] == "pay":
            return self._payment_page(request, parts[1])
        return self._onboarding_page(request, parts[2], parts[3])

    def _payment_page(self, request: Request, session_id: str) -> Response:
        session = self.sessions.get(session_id)
        if session is None:
            return Response("no such session", 404)
        if request.method == "GET":
            amount = f"{session['amount_total'] / 100:.2f} {(session['currency'] or '').upper()}"
            html = (
                "<!doctype html><html><head><meta charset='utf-8'><title>Stripe Checkout (test stand-in)</title></head>"
                f"<body><h1>Pay {amount}</h1><p>{session['_line_items'][0]['price_data']['product_data']['name']}</p>"
                f"<p>to account {session['_account']}</p><form method='post'><button id='pay'>Pay</button></form>"
                f"<a href='{session['cancel_url']}'>Cancel</a></body></html>"
            )
            return Response(html, content_type="text/html")
        self.pay(session_id)
        return Response(
            status=303, headers={"Location": session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)}
        )

    def pay(self, session_id: str) -> dict:
        """What Stripe does when the customer pays: a succeeded PaymentIntent (in localstripe), the session
        complete, and the events."""
        session = self.sessions[session_id]
        if session["mode"] == "subscription":
            return self._subscribe(session)
        form = {
            "amount": session["amount_total"],
            "currency": session["currency"],
            "payment_method": "pm_card_visa",
            "confirm": "true",
            **{f"metadata[{k}]": v for k, v in session["_intent_metadata"].items()},
        }
        answer = self.http.request(
            "POST",
            f"{self.upstream}/v1/payment_intents",
            body=urlencode(form),
            headers={"Authorization": "Bearer sk_test_standin", "Content-Type": "application/x-www-form-urlencoded"},
        )
        intent = json.loads(answer.data)
        session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
        made = {
            "checkout.session.completed": event(
                "checkout.session.completed", self._public(session), session["_account"]
            ),
            "payment_intent.succeeded": event("payment_intent.succeeded", intent, session["_account"]),
        }
        for kind in self.event_order:
            self.emit(made[kind])
        return intent

    def _subscribe(self, session: dict) -> dict:
        sub = {
            "id": _id("sub"),
            "object": "subscription",
            "status": "active",
            "customer": session["customer"],
            "items": {"object": "list", "data": [{"id": _id("si"), "price": {"id": session["_price"]}, "quantity": 1}]},
            "current_period_end": int(time.time()) + 30 * 86400,
            "metadata": session["_subscription_metadata"],
        }
        self.subscriptions[sub["id"]] = sub
        session.update(status="complete", payment_status="paid", subscription=sub["id"])
        self.emit(event("checkout.session.completed", self._public(session), None))
        self.emit(event("customer.subscription.created", dict(sub), None))
        return sub

    def _onboarding_page(self, request: Request, account_id: str, token: str) -> Response:
        link = self.links.get(token)
        if link is None or link["account"] != account_id:
            return Response("expired link", 404)
        if request.method == "GET":
            html = (
                "<!doctype html><html><head><meta charset='utf-8'><title>Stripe onboarding (stand-in)</title></head>"
                f"<body><h1>Activate {account_id}</h1><form method='post'>"
                "<button id='activate'>Agree and submit</button></form></body></html>"
            )
            return Response(html, content_type="text/html")
        self.activate(account_id)
        return Response(status=303, headers={"Location": link["return_url"]})

    def activate(self, account_id: str) -> None:
        account = self.accounts[account_id]
        account.update(charges_enabled=True, details_submitted=True, payouts_enabled=True)
        self.emit(event("account.updated", dict(account), account_id))

    # --- events ---------------------------------------------------------------------------------------------

    def emit(self, body: dict) -> None:
        self.events.append(body)
        if self.webhook_url:
            threading.Thread(target=self.deliver, args=(body,), daemon=True).start()

    def deliver(self, body: dict) -> int:
        payload = json.dumps(body).encode()
        answer = self.http.request(
            "POST",
            self.webhook_url,
            body=payload,
            headers={"Content-Type": "application/json", "Stripe-Signature": sign(payload, self.secret)},
        )
        return answer.status
