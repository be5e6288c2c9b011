"""One Settings object for the whole service, read from environment variables and `.env`.

Every variable is prefixed `IVR_` except `DATABASE_URL`, which keeps its conventional name.
The README's configuration table lists them all; keep the two in step.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "ivr.sqlite3"
PLACEHOLDER_SECRET = "change-me"
ENVIRONMENTS = ("development", "test", "production")
#: The weakest argon2id cost production accepts (OWASP: 19 MiB, two passes).
MIN_PRODUCTION_HASH_MEMORY_KIB = 19456
MIN_PRODUCTION_HASH_TIME_COST = 2


class Settings(BaseSettings):
    """Service configuration. Defaults run a demo on one machine with nothing to install."""

    model_config = SettingsConfigDict(env_prefix="IVR_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        validation_alias=AliasChoices("DATABASE_URL", "IVR_DATABASE_URL"),
        description="SQLAlchemy URL; postgresql+psycopg://user@host/db for PostgreSQL.",
    )
    environment: str = Field(
        default="development", description="development, test or production (any case)."
    )
    secret_key: str = Field(
        default=PLACEHOLDER_SECRET,
        description="Keys CSRF tokens. Required in production.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Web service processes (`ivr serve --workers`); jobs still run once.",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public URL Twilio calls; signatures are checked against it.",
    )
    dialogs_dir: Path = PROJECT_ROOT / "dialogs"
    grammars_dir: Path = PROJECT_ROOT / "grammars"
    models_dir: Path = PROJECT_ROOT / "models"
    recordings_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "recordings",
        description="Callers' recorded words (media streams); served to operators.",
    )
    # --- retention of personal data (app/retention, docs/security.md); 0 keeps for ever ---
    retention_recordings_days: int = Field(
        default=30, ge=0, description="Recordings (files and Twilio's) are deleted after this."
    )
    retention_transcripts_days: int = Field(
        default=90,
        ge=0,
        description="Callers' words in call steps and ride transcripts are removed after this.",
    )
    retention_rides_days: int = Field(
        default=365,
        ge=0,
        description="Rides, bookings and calls lose numbers, names and addresses after this.",
    )
    retention_outbox_days: int = Field(
        default=90, ge=0, description="Sent or failed SMS and call texts are blanked after this."
    )
    retention_audit_days: int = Field(
        default=730, ge=0, description="Staff, person and hospital audit rows are deleted then."
    )
    retention_staff_sessions_days: int = Field(
        default=180,
        ge=0,
        description="Ended or expired staff sessions (sign-in records) are deleted after this.",
    )
    retention_family_codes_days: int = Field(
        default=7, ge=0, description="Used or expired family SMS codes are deleted after this."
    )
    retention_in_process: bool = Field(
        default=True, description="Run the daily retention job inside `ivr serve`."
    )
    retention_hour: int = Field(
        default=3, ge=0, le=23, description="Local hour from which the daily retention job runs."
    )
    retention_check_seconds: float = Field(
        default=600, gt=0, description="How often `ivr serve` checks whether today's run is due."
    )
    speech_model: str = Field(
        default="vosk-model-small-cn-0.22",
        description="Name of the Vosk model in models/manifest; missing means keypad-only.",
    )
    speech_remote_url: str = Field(
        default="",
        description="ws:// URL of a Vosk WebSocket server, to recognise on other machines.",
    )
    recognition_hold_seconds: float = Field(
        default=2.0,
        gt=0,
        le=10,
        description="Wait this long for a recording's text before the caller hears 请稍等.",
    )
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_api_base: str = Field(
        default="",
        description="Override Twilio's REST base URL (tests point it at a local fake).",
    )
    operator_number: str = Field(
        default="",
        description="Where '0' transfers a caller (a phone number or SIP URI). Empty: queue.",
    )
    operator_callback_offer_seconds: int = Field(
        default=120,
        ge=10,
        le=3600,
        description="A caller waiting this long for a person is offered a call-back (press 1).",
    )
    hotline_number: str = "+868710000000"
    dispatch_amber_minutes: int = Field(
        default=5, description="Waiting time after which a queued ride turns amber."
    )
    dispatch_red_minutes: int = Field(
        default=10, description="Waiting time after which a queued ride turns red."
    )
    notify_voice_call: bool = Field(
        default=True, description="Also call the caller to read the plate when a car is assigned."
    )
    outbox_in_process: bool = Field(
        default=True,
        description="Run the outbox worker inside `ivr serve` when Twilio is configured.",
    )
    outbox_poll_seconds: float = 1.0
    outbox_max_attempts: int = 12
    outbox_backoff_seconds: float = Field(
        default=5.0, description="First retry delay; doubles per attempt, capped at 10 minutes."
    )
    secure_cookies: bool = Field(
        default=False, description="Set cookies with Secure (always true in production)."
    )
    # --- staff passwords: argon2id cost (RFC 9106 low-memory profile by default) ---------
    password_hash_time_cost: int = Field(
        default=3, ge=1, description="argon2id passes over memory per staff password hash."
    )
    password_hash_memory_kib: int = Field(
        default=65536, ge=8, description="argon2id memory per staff password hash, in KiB."
    )
    # --- the scheduler and rides booked ahead (docs/taxi.md, "Booking a ride ahead") ------
    scheduler_in_process: bool = Field(
        default=True, description="Run the scheduler inside `ivr serve` (safe with several)."
    )
    scheduler_poll_seconds: float = Field(
        default=30.0, gt=0, description="How often the scheduler looks for due jobs."
    )
    ride_booking_days: int = Field(
        default=7, ge=1, le=60, description="How many days ahead a ride can be booked by phone."
    )
    ride_service_start_hour: int = Field(
        default=6, ge=0, le=23, description="Earliest pickup hour (local) of a booked ride."
    )
    ride_service_end_hour: int = Field(
        default=22, ge=1, le=24, description="Booked pickups must be before this hour (local)."
    )
    ride_release_minutes: int = Field(
        default=30, ge=5, le=240,
        description="A booked ride enters the live dispatch queue this long before pickup.",
    )
    ride_reminder_hour: int = Field(
        default=19, ge=12, le=21, description="Local hour of the reminder the evening before."
    )
    regular_ride_ahead_hours: int = Field(
        default=24, ge=1, le=168,
        description="A regular ride's instance becomes a booked ride this long before pickup.",
    )
    # --- hospital trips and appointment reminder calls (docs/appointments.md) -----------
    appointment_ride_lead_minutes: int = Field(
        default=45, ge=10, le=180,
        description="A hospital trip picks the patient up this long before the session starts.",
    )
    appointment_reminder_hour: int = Field(
        default=10, ge=8, le=19,
        description="Local hour of the reminder call the day before an appointment.",
    )
    appointment_reminder_tries: int = Field(
        default=3, ge=1, le=6, description="Reminder calls tried before the family is told."
    )
    appointment_reminder_retry_minutes: int = Field(
        default=30, ge=5, le=180, description="Minutes between unanswered reminder calls."
    )
    # --- security: staff sessions, sign-in throttling, environment names -----------------
    session_idle_minutes: int = Field(
        default=60, ge=1, description="A staff session ends after this long without a request."
    )
    session_lifetime_hours: int = Field(
        default=12, ge=1, description="A staff session ends this long after sign-in, even in use."
    )
    login_free_failures: int = Field(
        default=3, ge=1, description="Failed sign-ins per username and address before delays."
    )
    login_address_free_failures: int = Field(
        default=20, ge=1, description="Failed sign-ins per address (any name) before delays."
    )
    login_first_delay_seconds: int = Field(
        default=2, ge=1, description="The first delay; it doubles with every further failure."
    )
    login_max_delay_seconds: int = Field(
        default=900, ge=1, description="The longest delay between sign-in attempts."
    )

    @field_validator("environment")
    @classmethod
    def _known_environment(cls, value: str) -> str:
        """Only known names, in any case: a misspelt `Prodution` must not skip the checks."""
        name = value.strip().lower()
        if name not in ENVIRONMENTS:
            known = ", ".join(ENVIRONMENTS)
            raise ValueError(f"IVR_ENVIRONMENT must be one of {known}, not {value!r}")
        return name

    @property
    def is_development(self) -> bool:
        return self.environment == "development"
    # --- end of security settings ----------------------------------------------------------
    log_level: str = "INFO"
    log_json: bool = True
    metrics_token: SecretStr = Field(
        default=SecretStr(""),
        description="Bearer token Prometheus sends to /metrics; empty disables the endpoint.",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_scheme(cls, value: str) -> str:
        """Accept the common `postgres://` and `postgresql://` forms and use psycopg 3."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    # --- Deployment: start-up checks, first admin, models volume (see docker/) ---------
    models_manifest: Path | None = Field(
        default=None,
        description="Model manifest to read; empty: manifest.json in IVR_MODELS_DIR.",
    )
    bootstrap_admin_username: str = Field(
        default="",
        description="`ivr start` creates this admin once, if the database has no admin yet.",
    )
    bootstrap_admin_password: SecretStr = Field(
        default=SecretStr(""), description="Password of the bootstrap admin (never logged)."
    )

    @property
    def notifications_configured(self) -> bool:
        """SMS and callback calls can be sent: a Twilio account, its token and a sender."""
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from_number)

    def check_production_ready(self) -> None:
        """Refuse to serve production traffic with placeholders or half a configuration."""
        problems = self.production_problems()
        if problems:
            raise ProductionConfigError("; ".join(problems))

    def production_problems(self) -> list[str]:
        """Every reason production would be broken (empty outside production)."""
        problems = []
        if self.bootstrap_admin_username and not self.bootstrap_admin_password.get_secret_value():
            problems.append("IVR_BOOTSTRAP_ADMIN_PASSWORD must be set with its username")
        if not self.is_production:
            return problems
        if (
            self.password_hash_memory_kib < MIN_PRODUCTION_HASH_MEMORY_KIB
            or self.password_hash_time_cost < MIN_PRODUCTION_HASH_TIME_COST
        ):
            problems.append(
                "IVR_PASSWORD_HASH_MEMORY_KIB must be at least"
                f" {MIN_PRODUCTION_HASH_MEMORY_KIB} and IVR_PASSWORD_HASH_TIME_COST at least"
                f" {MIN_PRODUCTION_HASH_TIME_COST} (OWASP's argon2id minimum)"
            )
        if self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < 32:
            problems.append("IVR_SECRET_KEY must be set to a random string of 32+ characters")
        # The default would make every Twilio signature check fail, silently for callers.
        url = urlsplit(self.public_base_url)
        if "public_base_url" not in self.model_fields_set:
            problems.append("IVR_PUBLIC_BASE_URL must be set to the URL Twilio calls")
        elif url.scheme not in ("http", "https") or url.hostname in LOOPBACK_HOSTS:
            problems.append("IVR_PUBLIC_BASE_URL must be a public http(s) URL Twilio can reach")
        missing = [
            env
            for env, value in (
                ("IVR_TWILIO_AUTH_TOKEN", self.twilio_auth_token),
                ("IVR_TWILIO_ACCOUNT_SID", self.twilio_account_sid),
                ("IVR_TWILIO_FROM_NUMBER", self.twilio_from_number),
            )
            if not value
        ]
        if missing:  # without all three no SMS or call is ever sent, and nothing says so
            problems.append(f"{', '.join(missing)} must be set (signatures and notifications)")
        return problems


class ProductionConfigError(RuntimeError):
    """The settings are not fit for production; the message names every problem."""


LOOPBACK_HOSTS = frozenset({None, "", "localhost", "127.0.0.1", "::1", "0.0.0.0"})
# What compose (and any production deployment) must set; tests/unit/test_compose_file.py.
PRODUCTION_REQUIRED_SETTINGS = (
    "environment",
    "secret_key",
    "public_base_url",
    "twilio_auth_token",
    "twilio_account_sid",
    "twilio_from_number",
)


@lru_cache
def get_settings() -> Settings:
    return Settings()
