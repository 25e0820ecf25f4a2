"""All configuration, from the environment (12-factor)."""

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEMBERDIR_", extra="ignore")

    mongodb_uri: str | None = Field(
        default=None,
        validation_alias="MONGODB_URI",
        description="MongoDB to use; unset runs the embedded FerretDB instead.",
    )
    database: str = Field(default="memberdir", pattern=r"^[A-Za-z0-9_-]{1,60}$")
    environment: Literal["development", "production"] = "development"
    data_dir: Path = PROJECT_ROOT / "var"
    ferretdb_binary: Path = PROJECT_ROOT / ".tools" / "bin" / "ferretdb"
    seed_scale: int = Field(default=1, ge=1, le=20)

    @property
    def production(self) -> bool:
        return self.environment == "production"
