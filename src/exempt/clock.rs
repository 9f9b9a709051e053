//! Today's date, against which `expires` is compared.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::Date;

/// Setting this to `YYYY-MM-DD` fixes "today" (tests, reproducing a past CI run).
pub const TODAY_ENV: &str = "BLASTWALL_TODAY";

/// Where "today" comes from.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// The system clock, in UTC; read at every call, so a long-running webhook sees
    /// exemptions expire.
    #[default]
    System,
    Fixed(Date),
}

impl Clock {
    /// [`TODAY_ENV`] if it is set, else the system clock.
    pub fn from_env() -> Result<Clock, String> {
        match std::env::var(TODAY_ENV) {
            Ok(text) => Date::parse(text.trim())
                .map(Clock::Fixed)
                .map_err(|e| format!("{TODAY_ENV}: {e}")),
            Err(std::env::VarError::NotPresent) => Ok(Clock::System),
            Err(e) => Err(format!("{TODAY_ENV}: {e}")),
        }
    }

    pub fn today(&self) -> Date {
        match self {
            Clock::Fixed(date) => date.clone(),
            Clock::System => {
                let secs = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0);
                Date::from_unix_days(secs.div_euclid(86_400))
            }
        }
    }
}
