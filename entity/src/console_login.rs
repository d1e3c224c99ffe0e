//! A scan-to-login attempt (migration 000022): the `scene` a mini-program code on a console login page carries,
//! the hash of the secret cookie of the browser that asked for it, who approved it, and the session it became.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "console_login")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    pub scene: String,
    pub secret_hash: String,
    /// Until when it may be approved and collected (minutes after it was shown).
    pub expires_at: DateTimeUtc,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTimeUtc>,
    /// The session it became: set once, by the poll that collected it.
    pub session_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
