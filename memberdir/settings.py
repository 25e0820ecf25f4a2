"""All configuration, from the environment (12-factor)."""

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from datastore.vocabulary import Role
from memberdir.engines import EngineName

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
    engine: EngineName = Field(default="secantusdb", description="the embedded engine, when MONGODB_URI is unset")
    ferretdb_binary: Path = PROJECT_ROOT / ".tools" / "bin" / "ferretdb"
    secantusdb_binary: Path = PROJECT_ROOT / ".tools" / "secantusdb" / "bin" / "secantusd-py"
    seed_scale: int = Field(default=1, ge=1, le=20)

    # Abuse limits: every query is checked against these before it runs.
    max_depth: int = Field(default=12, ge=2, description="deepest selection nesting")
    max_aliases: int = Field(default=30, ge=0, description="aliased fields in one document")
    max_tokens: int = Field(default=2000, ge=50, description="lexical tokens in one document")
    max_cost: int = Field(default=50_000, ge=1, description="nodes a query may ask for, from its page sizes")
    max_batch_operations: int = Field(default=10, ge=1, description="operations in one batched POST")
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="largest request body")
    execution_deadline_seconds: float = Field(default=10.0, gt=0, description="a query running longer is cancelled")

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

    @property
    def engine_binary(self) -> Path:
        return getattr(self, f"{self.engine}_binary")

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_audience and self.oidc_jwks_url)

    @field_validator("oidc_algorithms")
    @classmethod
    def _only_asymmetric(cls, algorithms: list[str]) -> list[str]:
        refused = [a for a in algorithms if a not in ASYMMETRIC_ALGORITHMS]
        if refused or not algorithms:
            raise ValueError(f"only public-key algorithms are allowed, not {refused or 'none'}")
        return algorithms

    @field_validator("oidc_default_role")
    @classmethod
    def _signed_in_is_not_anonymous(cls, role: Role) -> Role:
        if role is Role.ANONYMOUS:
            raise ValueError("a signed-in person is at least a member")
        return role
