"""Journey factories for tests (and a shell): a small Guangdong world with firms in two Shenzhen
counties, Guangzhou and Zhejiang, an official at every level, and helpers that push an application
through the review chain with the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.utils import timezone

from tidu.accounts.services import api_token_create
from tidu.core.testing import PASSWORD, make_enterprise, make_user, make_year
from tidu.enterprises.models import Enterprise
from tidu.journey import checklist, frozen, services
from tidu.journey.demo import file_name, sample_pdf
from tidu.journey.models import Application, ApplicationRound, Attachment, AttachmentKind, Recognition, Tier

FIRMS = {"A": "440305", "B": "440305", "C": "440304", "D": "440106", "E": "330106"}
SECRET_REVENUE = 77_777_777_00  # a figure that must never leak to the public


@dataclass
class World:
    firms: dict[str, Enterprise]
    users: dict[str, Any]
    rounds: dict[str, ApplicationRound] = field(default_factory=dict)

    def client(self, who: str) -> Client:
        c = Client()
        if who != "anon":
            assert c.login(username=who, password=PASSWORD)
        return c

    def bearer(self, who: str) -> Client:
        _token, key = api_token_create(user=self.users[who], name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def draft(self, firm: str = "A", tier: str = Tier.SPECIALIZED_SME) -> Application:
        """A draft in the world's round of `tier`. A little giant must hold a valid 专精特新 title: the firm
        gets a platform record of one first (a 专精特新 draft needs nothing more: every world firm
        declares a 科技型 registration)."""
        if tier == Tier.LITTLE_GIANT and not Recognition.objects.filter(
                enterprise=self.firms[firm], tier=Tier.SPECIALIZED_SME, revoked_at__isnull=True,
                valid_until__gte=timezone.localdate()).exists():
            self.imported_title(firm, Tier.SPECIALIZED_SME, days_left=400)
        return services.application_create(actor=self.users[f"firm_{firm.lower()}"], rnd=self.rounds[tier])

    def staff_of(self, app: Application) -> Any:
        firm = next(key for key, ent in self.firms.items() if ent.pk == app.enterprise_id)
        return self.users[f"firm_{firm.lower()}"]

    def with_materials(self, app: Application) -> Application:
        """Attach one small PDF of each kind the tier requires before the lock (the stamped copy comes later)."""
        user = self.staff_of(app)
        for item in checklist.items_for(app.tier):
            if item.required and item.kind != AttachmentKind.STAMPED_FORM:
                services.attachment_add(actor=user, application=app, kind=item.kind, name=file_name(item.kind),
                                        data=sample_pdf(f"{item.kind} of application {app.pk}"))
        return app

    def locked(self, firm: str = "A", tier: str = Tier.SPECIALIZED_SME) -> Application:
        """A draft with its required materials, locked by the firm (commitment signed, record frozen)."""
        app = self.with_materials(self.draft(firm, tier))
        return services.application_lock(actor=self.users[f"firm_{firm.lower()}"], application=app, commitment=True)

    def stamp(self, app: Application) -> Attachment:
        """Upload the stamped copy of the application's current lock (the scan, as the firm would)."""
        user = self.staff_of(app)
        return services.attachment_add(actor=user, application=app, kind=AttachmentKind.STAMPED_FORM,
                                       name="盖章申报书.pdf", data=sample_pdf(f"stamped {frozen.fingerprint(app)}"))

    def submitted(self, firm: str = "A", tier: str = Tier.SPECIALIZED_SME) -> Application:
        """Through the real order: materials, lock, stamped copy, submit."""
        app = self.locked(firm, tier)
        self.stamp(app)
        return services.application_submit(actor=self.users[f"firm_{firm.lower()}"], application=app)

    def approve(self, app: Application, *levels: str) -> Application:
        for level in levels:
            services.application_review(actor=self.users[level], application=app, action="approve",
                                        comment=f"{level}同意")
        return app

    def approved(self, firm: str = "A", tier: str = Tier.SPECIALIZED_SME) -> Application:
        return self.approve(self.submitted(firm, tier), "county" if firm in "AB" else "county_c", "city", "province")

    def imported_title(self, firm: str = "A", tier: str = Tier.SPECIALIZED_SME, days_left: int = 90) -> Recognition:
        """A title granted before the platform (imported, no application) expiring `days_left` days from today."""
        until = timezone.localdate() + dt.timedelta(days=days_left)
        number = f"44-IMP-{Recognition.objects.count() + 1:05d}"
        return Recognition.objects.create(
            enterprise=self.firms[firm], tier=tier, number=number, issuing_region_id="440000",
            valid_from=services.add_years(until, -3) + dt.timedelta(days=1), valid_until=until,
        )


def build_world() -> World:
    today = timezone.localdate()
    last = today.year - 1
    firms = {k: make_enterprise(region, name=f"企业{k}有限公司") for k, region in FIRMS.items()}
    for ent in firms.values():
        # A 科技型 registration (granted by the science authorities, never by this platform) meets the
        # 2026 专精特新 prerequisite; it is self-declared, so reviewers see it flagged.
        make_year(ent, last, revenue=SECRET_REVENUE, main_rev=SECRET_REVENUE - 1, rd=9_876_543_21,
                  cert_tech_sme_valid=True)
        make_year(ent, last - 1)
        make_year(ent, last - 2)
    users = {
        "firm_a": make_user("firm_a", "enterprise", enterprise=firms["A"]),
        "firm_b": make_user("firm_b", "enterprise", enterprise=firms["B"]),
        "firm_c": make_user("firm_c", "enterprise", enterprise=firms["C"]),
        "firm_d": make_user("firm_d", "enterprise", enterprise=firms["D"]),
        "firm_e": make_user("firm_e", "enterprise", enterprise=firms["E"]),
        "county": make_user("county", "government", level="county", region="440305"),
        "county2": make_user("county2", "government", level="county", region="440305"),
        "county_c": make_user("county_c", "government", level="county", region="440304"),
        "city": make_user("city", "government", level="city", region="440300"),
        "city_gz": make_user("city_gz", "government", level="city", region="440100"),
        "province": make_user("province", "government", level="province", region="440000"),
        "province_zj": make_user("province_zj", "government", level="province", region="330000"),
        "national": make_user("national", "government", level="national"),
        "admin": make_user("admin", superuser=True),
        "large": make_user("large", "large"),
        "provider": make_user("provider", "provider"),
    }
    world = World(firms, users)
    for tier in Tier.values:
        world.rounds[tier] = services.round_open(
            actor=users["province"], name=f"广东省{Tier(tier).label}申报", tier=tier, region_code="440000",
            opens_on=today - dt.timedelta(days=10), deadline=today + dt.timedelta(days=30),
        )
    return world
