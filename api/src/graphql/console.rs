//! The console's own fields: its sessions (`mySessions`, `revokeSession`), scan-to-login's approval from the
//! mini-program (`approveConsoleLogin`) and the grid import (`previewGridImport`, `applyGridImport`). Adapters
//! only: the rules are in `service::console` and `service::grid_import`.
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::console_session;
use entity::enums::ConsoleVia;

use super::{Conn, actor, arg_id, connection, page_args, state};
use crate::error::Lang;
use crate::ids::{Kind, encode};
use crate::service::{console, grid_import};

/// One logged-in browser of the web console (separate from the mini-program's logins).
pub struct ConsoleSession(pub console_session::Model);

#[Object]
impl ConsoleSession {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::ConsoleSession, self.0.id)
    }
    /// How it was opened: a dev login code, or a mini-program code scanned and approved.
    async fn via(&self) -> ConsoleVia {
        self.0.via
    }
    /// When it was opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was last used (to the minute).
    async fn last_used_at(&self) -> DateTime<Utc> {
        self.0.last_used_at
    }
    /// When it ends by itself.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// When it was ended by logging out or by `revokeSession` (none: it was not).
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// Whether it still works: neither revoked nor expired.
    async fn active(&self, ctx: &Context<'_>) -> bool {
        self.0.revoked_at.is_none() && self.0.expires_at > state(ctx).clock.now()
    }
    /// Whether this request comes with it.
    async fn current(&self, ctx: &Context<'_>) -> bool {
        actor(ctx).console_session() == Some(self.0.id)
    }
    /// The browser's User-Agent when it logged in (so one can tell one's sessions apart).
    async fn user_agent(&self) -> Option<&str> {
        self.0.user_agent.as_deref()
    }
}

/// A spreadsheet for the grid import: the community it is for and the file, base64 (at most 2 MB).
#[derive(InputObject)]
pub struct GridImportInput {
    /// The community whose grid the file describes.
    pub community_id: ID,
    /// The file's name: its extension says how to read it (`.xlsx`, `.xls`, `.ods`, `.csv`).
    pub file_name: String,
    /// The file's bytes, base64 (a `data:…;base64,` prefix is accepted).
    pub content_base64: String,
}

/// One thing said about a row of an import.
#[derive(SimpleObject)]
pub struct GridImportMessage {
    /// The column it is about (`area`, `group`, `neighbourhood`, `compound`, `building`, `unit`, `headName`,
    /// `headPhone`), if one.
    pub column: Option<String>,
    /// ERROR stops the import; WARNING does not.
    pub severity: grid_import::Severity,
    /// Stable: REQUIRED, NAME_TOO_LONG, UNKNOWN_COMPOUND, UNKNOWN_BUILDING, AMBIGUOUS_BUILDING, NOT_A_NUMBER,
    /// UNIT_OUT_OF_RANGE, DUPLICATE_UNIT, OTHER_COMPOUND, BAD_PHONE, CONFLICTING_HEAD, SELF_APPOINTMENT, HEAD_TAKEN
    /// (errors); UNIT_MOVED, HEAD_NOT_REGISTERED (warnings).
    pub code: String,
    /// For people, in the caller's language.
    pub message: String,
}

/// One row of an import's file and what importing it does.
#[derive(SimpleObject)]
pub struct GridImportRow {
    /// Its line in the file (the header is line 1 when it is the first).
    pub line: i32,
    pub area: String,
    pub group: String,
    pub neighbourhood: String,
    /// The compound (as the file says, or as the building was found in).
    pub compound: String,
    pub building: String,
    pub unit: Option<i32>,
    pub head_name: Option<String>,
    /// Masked but for the last four digits.
    pub head_phone: Option<String>,
    /// CREATE, UPDATE (a unit moves here), UNCHANGED or ERROR.
    pub outcome: grid_import::Outcome,
    pub messages: Vec<GridImportMessage>,
}

/// The dry run of an import: every row's outcome; nothing was changed.
#[derive(SimpleObject)]
pub struct GridImportPreview {
    /// Whether `applyGridImport` would take the file (no row has an error).
    pub valid: bool,
    pub rows: Vec<GridImportRow>,
    /// Rows that create or move something.
    pub creates: i32,
    /// Rows already in the grid as they are.
    pub unchanged: i32,
    /// Rows with an error.
    pub errors: i32,
    /// Rows with a warning.
    pub warnings: i32,
}

/// What an import did.
#[derive(SimpleObject)]
pub struct GridImportResult {
    pub areas_created: i32,
    pub groups_created: i32,
    pub neighbourhoods_created: i32,
    /// Units placed in a neighbourhood (new or moved from another).
    pub units_assigned: i32,
    pub heads_appointed: i32,
}

fn preview_of(p: grid_import::Preview, lang: Lang) -> GridImportPreview {
    use grid_import::Outcome;
    GridImportPreview {
        valid: p.valid(),
        creates: (p.count(Outcome::Create) + p.count(Outcome::Update)) as i32,
        unchanged: p.count(Outcome::Unchanged) as i32,
        errors: p.count(Outcome::Error) as i32,
        warnings: p.warnings() as i32,
        rows: p
            .rows
            .into_iter()
            .map(|r| GridImportRow {
                line: r.line as i32,
                area: r.area,
                group: r.group,
                neighbourhood: r.neighbourhood,
                compound: r.compound,
                building: r.building,
                unit: r.unit,
                head_name: r.head_name,
                head_phone: r.head_phone,
                outcome: r.outcome,
                messages: r
                    .notes
                    .into_iter()
                    .map(|n| GridImportMessage {
                        column: n.column.map(str::to_owned),
                        severity: n.severity,
                        code: n.code.to_owned(),
                        message: n.text.text(lang).to_owned(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The console's queries.
#[derive(Default)]
pub struct ConsoleQuery;

#[Object]
impl ConsoleQuery {
    /// The caller's console sessions, newest first (ended ones too).
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn my_sessions(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<ConsoleSession>> {
        let p = console::my_sessions(state(ctx), actor(ctx), page_args(first, after)?).await?;
        Ok(connection(p, |s| s.id, ConsoleSession))
    }
}

/// The console's mutations.
#[derive(Default)]
pub struct ConsoleMutation;

#[Object]
impl ConsoleMutation {
    /// Ends one of the caller's console sessions at once. Someone else's: NOT_FOUND.
    async fn revoke_session(&self, ctx: &Context<'_>, id: ID) -> Result<ConsoleSession> {
        let id = arg_id(&id, Kind::ConsoleSession, "id")?;
        Ok(ConsoleSession(console::revoke(state(ctx), actor(ctx), id).await?))
    }

    /// Scan-to-login: the mini-program, opened by scanning the console's code, approves that login page with the
    /// caller's own mini-program token (a console session cannot). The page then receives a session, once. For
    /// users holding some role (FORBIDDEN `NO_CONSOLE_ROLE` otherwise); an unknown scene is NOT_FOUND, an expired
    /// or already approved one CONFLICT.
    async fn approve_console_login(&self, ctx: &Context<'_>, scene: String) -> Result<bool> {
        console::approve(state(ctx), actor(ctx), &scene).await?;
        Ok(true)
    }

    /// The grid import's dry run: every row of the spreadsheet with what importing it would do, or what is wrong
    /// with it. Changes nothing. For admins over the community.
    async fn preview_grid_import(&self, ctx: &Context<'_>, input: GridImportInput) -> Result<GridImportPreview> {
        let community = arg_id(&input.community_id, Kind::Community, "input.communityId")?;
        let p = grid_import::preview(state(ctx), actor(ctx), community, &input.file_name, &input.content_base64).await?;
        Ok(preview_of(p, *ctx.data_unchecked::<Lang>()))
    }

    /// Imports the spreadsheet: all of it, or, if any row has an error, nothing (BAD_USER_INPUT). Importing the
    /// same file again changes nothing.
    async fn apply_grid_import(&self, ctx: &Context<'_>, input: GridImportInput) -> Result<GridImportResult> {
        let community = arg_id(&input.community_id, Kind::Community, "input.communityId")?;
        let a = grid_import::apply(state(ctx), actor(ctx), community, &input.file_name, &input.content_base64).await?;
        Ok(GridImportResult {
            areas_created: a.areas_created as i32,
            groups_created: a.groups_created as i32,
            neighbourhoods_created: a.neighbourhoods_created as i32,
            units_assigned: a.units_assigned as i32,
            heads_appointed: a.heads_appointed as i32,
        })
    }
}
