"""All configuration, from the environment (12-factor)."""

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, IPvAnyNetwork, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from strawberry.http.websocket_origin import normalize_allowed_origins

from datastore import faults
from datastore.records.vocabulary import Role
from memberdir.embedded import EngineName

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Only public-key algorithms: a JWKS holds public keys, and an HMAC "verified"
# with a public key as its secret is a classic forgery.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEMBERDIR_", extra="ignore")

    mongodb_uri: str | None = Field(
        default=None,
        validation_alias="MONGODB_URI",
        description="MongoDB to use; unset runs the embedded engine instead.",
    )
    database: str = Field(default="memberdir", pattern=r"^[A-Za-z0-9_-]{1,60}$")
    environment: Literal["development", "production"] = "development"
    data_dir: Path = PROJECT_ROOT / "var"
    engine: EngineName = Field(default="secantusdb-rs", description="the embedded engine, when MONGODB_URI is unset")
    ferretdb_binary: Path = PROJECT_ROOT / ".tools" / "bin" / "ferretdb"
    secantusdb_binary: Path = PROJECT_ROOT / ".tools" / "secantusdb" / "bin" / "secantusd-py"
    secantusdb_rs_binary: Path = PROJECT_ROOT / ".tools" / "secantusdb-rs" / "bin" / "secantusd-rs"
    seed_scale: int = Field(default=1, ge=1, le=20)
    frontend_dir: Path = Field(
        default=PROJECT_ROOT / "frontend" / "dist",
        description="the built browser pages (dashboard, GraphiQL): `make setup` builds them here",
    )

    # Abuse limits: every query is checked against these before it runs.
    max_depth: int = Field(default=12, ge=2, description="deepest selection nesting")
    max_aliases: int = Field(default=30, ge=0, description="aliased fields in one document")
    max_tokens: int = Field(default=2000, ge=50, description="lexical tokens in one document")
    max_cost: int = Field(default=50_000, ge=1, description="nodes a query may ask for, from its page sizes")
    max_expanded_fields: int = Field(
        default=5_000, ge=100, description="fields in one operation once its fragments are spread"
    )
    max_batch_operations: int = Field(default=10, ge=1, description="operations in one batched POST")
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="largest request body")
    execution_deadline_seconds: float = Field(default=10.0, gt=0, description="a query running longer is cancelled")
    # Trusted documents and automatically persisted queries (memberdir/edge/documents.py).
    trusted_documents_only: bool = Field(
        default=False, description="callers below staff run only the trusted documents (schema/trusted-documents.json)")
    persisted_queries_max_entries: int = Field(
        default=1_000, ge=0, le=1_000_000, description="automatically persisted queries kept per process")
    persisted_queries_max_characters: int = Field(
        default=4_000_000, ge=0, le=1_000_000_000, description="their characters in all, per process")

    # Writes: a change claimed but not applied for this long was cut off (a killed
    # process) and is completed by recovery; longer than any write takes.
    write_lease_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Tests only: named fault points in the write path (datastore.faults), e.g.
    # "after_effect_1=kill"; refused in production.
    fault_points: str | None = Field(default=None, description="tests only: " + faults.POINTS_HELP)
    # Readiness: a journaled write to the engine this often (and whenever /readyz
    # or a request that met a database error asks), which fails unless acknowledged
    # within the timeout (README, "Database engines").
    health_probe_seconds: float = Field(default=5.0, gt=0, le=3600)
    health_probe_timeout_seconds: float = Field(default=5.0, gt=0, le=600)
    removal_notice_days: int = Field(default=30, ge=0, le=365, description="notice before a membership is removed")
    # The texts an applicant for individual membership accepts: only the versions in force here are
    # accepted (Query.agreementVersions says which). Change them when the alliance publishes a new text.
    constitution_version: str = Field(default="2024-03", min_length=1, max_length=64,
                                      description="the version of the Constitution in force")
    member_agreement_version: str = Field(default="2024-03", min_length=1, max_length=64,
                                          description="the version of the Member Agreement in force")
    # Invitations onto rosters: days to answer by default; recommendations and invitations
    # one sender may make per UTC day (no member mails arbitrary text in bulk); how often
    # serve marks unanswered ones EXPIRED (memberdir/invitation_expiry.py).
    invitation_days: int = Field(default=30, ge=1, le=365, description="days to answer an invitation by default")
    invitations_per_day: int = Field(default=50, ge=1, le=10_000, description="recommendations and invitations per sender per UTC day")
    invitation_sweep_seconds: float = Field(default=300.0, gt=0, le=86_400, description="how often expired invitations are marked")
    # Notifications (memberdir/notifications): mail through MEMBERDIR_SMTP_URL
    # (smtp:// or smtps://user:pass@host:port); unset, each mail is written as an
    # .eml file under <data_dir>/<engine>/outbox/ (the development default).
    smtp_url: SecretStr | None = None
    mail_from: str = "Member Directory <directory@localhost>"
    smtp_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    # Delivery: each attempt claimed for a lease (longer than an attempt takes), retried
    # with exponential backoff and jitter, FAILED after the last attempt.
    delivery_interval_seconds: float = Field(default=1.0, gt=0, le=3600, description="how often the outbox is read")
    delivery_lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    delivery_max_attempts: int = Field(default=8, ge=1, le=100)
    delivery_backoff_seconds: float = Field(default=30.0, ge=0, le=86400, description="wait before the 2nd attempt")
    delivery_backoff_max_seconds: float = Field(default=6 * 3600.0, ge=0, le=7 * 86400)
    # Verified e-mail and webhooks (README, "Notifications").
    public_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$",
                            description="the directory's address as links in mail give it (/verify-email?token=...)")
    staff_email: str | None = Field(default=None, description="where notices to staff go (a disabled webhook)")
    # None: allowed in development, refused in production. Allowed: http:// URLs and any
    # address (loopback, private); otherwise https:// only, to public addresses only.
    webhook_allow_loopback: bool | None = None
    webhook_disable_after_failures: int = Field(
        default=100, ge=1, le=100_000, description="failed deliveries in a row after which an endpoint is disabled")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Operational notices (memberdir/notifications/notices.py): from this day of each month
    # (UTC; 0: never) `serve` owes the month's notices, checking again this often for
    # causes that appear later; each is owed once per organisation, cause and month.
    operational_notices_day: int = Field(default=1, ge=0, le=28)
    operational_notices_check_seconds: float = Field(default=3600.0, gt=0, le=86400)
    # Rate limit: cost points (a query costs its cost, at least 1) per client per minute.
    rate_limit_points_per_minute: int = Field(default=1_000_000, ge=1)
    # The exact response cache (memberdir/edge/answer_cache.py): bytes of answers each
    # process keeps, the least recently used dropped first; 0 turns it off.
    response_cache_bytes: int = Field(default=64 * 1024 * 1024, ge=0, le=1 << 40)
    # Proxies whose X-Forwarded-For is believed (addresses or networks); none by default.
    trusted_proxies: list[IPvAnyNetwork] = []

    # /metrics: open in development; in production served on its own loopback port,
    # or on the main port to holders of the token, or not at all.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_token: SecretStr | None = None
    metrics_max_operation_names: int = Field(default=50, ge=1, le=1000)
    # Browser pages on other origins that may call the API (CORS) and POST to it
    # (the CSRF check); empty: only pages served by this server itself.
    allowed_origins: list[str] = []

    # OpenID Connect bearer tokens for people; unset issuer = tokens refused.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_algorithms: list[str] = ["RS256", "ES256"]
    oidc_leeway_seconds: int = Field(default=30, ge=0, le=300)
    oidc_role_claim: str = "memberdir_role"
    oidc_default_role: Role = Role.MEMBER
    oidc_person_claim: str = "email"
    oidc_person_match: Literal["email", "id"] = "email"
    # The pages' sign-in (memberdir/sign_in.py, docs/pages.md): the server is a confidential
    # client of oidc_issuer (found by discovery) running the code flow with PKCE; all four
    # set or none. Sessions live in the database, ended after idle and absolute limits.
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid email profile"
    oidc_redirect_url: str | None = Field(default=None, validate_default=True,
                                          description="this server's /auth/callback as the issuer knows it")
    session_idle_minutes: float = Field(default=120.0, gt=0, le=7 * 24 * 60, description="a session unused this long ends")
    session_absolute_hours: float = Field(default=24.0, gt=0, le=30 * 24, description="a session ends this long after sign-in")

    @property
    def engine_binary(self) -> Path:
        return getattr(self, f"{self.engine.replace('-', '_')}_binary")

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_audience and self.oidc_jwks_url)

    @property
    def sign_in_enabled(self) -> bool:
        return self.oidc_redirect_url is not None  # valid only with the issuer, client id and secret

    @property
    def outbox_dir(self) -> Path:
        """Where mail is written as .eml files when no SMTP server is set."""
        return self.data_dir / self.engine / "outbox"

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, url: SecretStr | None) -> SecretStr | None:
        if url is not None and not url.get_secret_value().startswith(("smtp://", "smtps://")):
            raise ValueError("must start with smtp:// or smtps://")
        return url

    @field_validator("metrics_token")
    @classmethod
    def _long_enough(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and len(token.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return token

    @field_validator("oidc_algorithms")
    @classmethod
    def _only_asymmetric(cls, algorithms: list[str]) -> list[str]:
        refused = [a for a in algorithms if a not in ASYMMETRIC_ALGORITHMS]
        if refused or not algorithms:
            raise ValueError(f"only public-key algorithms are allowed, not {refused or 'none'}")
        return algorithms

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        if "*" in origins:
            raise ValueError("list the trusted origins one by one; '*' would let any site's pages act for its visitors")
        return sorted(normalize_allowed_origins(origins))  # ValueError naming a value that is not an origin

    @field_validator("fault_points")
    @classmethod
    def _faults_only_in_tests(cls, spec: str | None, info: ValidationInfo) -> str | None:
        if spec and info.data.get("environment") == "production":
            raise ValueError("fault points are for tests; never in production")
        faults.parse(spec)  # ValueError naming the part that is wrong
        return spec or None

    @field_validator("webhook_allow_loopback")
    @classmethod
    def _webhooks_public_in_production(cls, allowed: bool | None, info: ValidationInfo) -> bool:
        production = info.data.get("environment") == "production"
        if allowed and production:
            raise ValueError("webhooks to loopback or private addresses are for development and tests; never in production")
        return (not production) if allowed is None else allowed

    @field_validator("oidc_default_role")
    @classmethod
    def _signed_in_is_not_anonymous(cls, role: Role) -> Role:
        if role is Role.ANONYMOUS:
            raise ValueError("a signed-in person is at least a member")
        return role

    @field_validator("oidc_redirect_url")
    @classmethod
    def _sign_in_complete(cls, url: str | None, info: ValidationInfo) -> str | None:
        given = {"MEMBERDIR_OIDC_ISSUER": info.data.get("oidc_issuer"),
                 "MEMBERDIR_OIDC_CLIENT_ID": info.data.get("oidc_client_id"),
                 "MEMBERDIR_OIDC_CLIENT_SECRET": info.data.get("oidc_client_secret")}
        if url is None:
            if given["MEMBERDIR_OIDC_CLIENT_SECRET"] is not None or given["MEMBERDIR_OIDC_CLIENT_ID"]:
                raise ValueError("needed with MEMBERDIR_OIDC_CLIENT_ID and _SECRET: this server's /auth/callback "
                                 "address (the pages sign in through the server: docs/pages.md)")
            return None
        missing = [name for name, value in given.items() if not value]
        if missing:
            raise ValueError(f"sign-in also needs {', '.join(missing)}")
        parts = urlsplit(url)
        production = info.data.get("environment") == "production"
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError("must be an absolute http(s) URL ending in /auth/callback")
        if parts.path != "/auth/callback":
            raise ValueError("must end in /auth/callback (the route the issuer sends the browser back to)")
        if production and parts.scheme != "https":
            raise ValueError("must be https:// in production (the session cookie is Secure)")
        return url

    @field_validator("session_absolute_hours")
    @classmethod
    def _absolute_after_idle(cls, hours: float, info: ValidationInfo) -> float:
        idle = info.data.get("session_idle_minutes")
        if idle is not None and hours * 60 < idle:
            raise ValueError("must be at least MEMBERDIR_SESSION_IDLE_MINUTES")
        return hours
