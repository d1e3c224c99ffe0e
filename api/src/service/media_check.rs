//! Photos through WeChat's asynchronous media check: a background job asks media_check_async for each new photo
//! (with a signed URL WeChat can download, so `LINLI_PUBLIC_URL` must be set), WeChat pushes the verdict to
//! `/wechat/push` (signed with `WECHAT_PUSH_TOKEN`), and a photo judged risky is hidden. A photo is claimed by a
//! unique row before WeChat is asked, so with several replicas it is asked about once.
use chrono::Utc;
use entity::enums::MediaCheckStatus;
use entity::{app_user, media_check, photo};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, Query},
};
use sha1::{Digest, Sha1};
use uuid::Uuid;

use crate::error::{AppResult, Constraint};
use crate::ids::new_id;
use crate::service::events::{Change, DomainEvent};
use crate::service::media::{self, sign};
use crate::state::AppState;

/// One check per photo (migration 000009): the claim that keeps two replicas from asking twice.
const ONE_CHECK_PER_PHOTO: Constraint = Constraint { name: "ux_media_check_photo_id", columns: "media_check.photo_id" };

/// Asks WeChat to check the photos uploaded in the last day that have not been sent yet. Returns how many were
/// sent. Does nothing while content checks are off or the server has no public URL.
pub async fn request_due(state: &AppState) -> AppResult<usize> {
    if !state.config.content_check || state.config.media.public_url.is_none() {
        return Ok(0);
    }
    let since = Utc::now() - chrono::Duration::days(1);
    let asked = Query::select().column(media_check::Column::PhotoId).from(media_check::Entity).to_owned();
    let due: Vec<(Uuid, Uuid)> = photo::Entity::find()
        .select_only()
        .column(photo::Column::Id)
        .column(photo::Column::OwnerId)
        .filter(photo::Column::CreatedAt.gt(since))
        .filter(photo::Column::Id.not_in_subquery(asked))
        .order_by_asc(photo::Column::Id)
        .limit(50)
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut sent = 0;
    for (photo_id, owner) in due {
        // Claim the photo; another replica that claimed it first wins.
        let claim = media_check::ActiveModel {
            id: Set(new_id()),
            created_at: Set(Utc::now()),
            trace_id: Set(None),
            status: Set(MediaCheckStatus::Requested),
            label: Set(None),
            decided_at: Set(None),
            photo_id: Set(photo_id),
        }
        .insert(&state.db)
        .await;
        let claim = match claim {
            Ok(c) => c,
            Err(e) if ONE_CHECK_PER_PHOTO.matches(&e) => continue,
            Err(e) => return Err(e.into()),
        };
        let openid = app_user::Entity::find_by_id(owner).one(&state.db).await?.map(|u| u.openid).unwrap_or_default();
        // WeChat downloads it within 30 minutes: a URL valid for two hours.
        let exp = Utc::now().timestamp() + 2 * 3600;
        let url = sign::url_until(&state.config, photo_id, sign::Variant::Full, exp, true);
        match state.wechat.media_check_async(&openid, &url).await {
            Ok(trace) => {
                media_check::Entity::update_many()
                    .col_expr(media_check::Column::TraceId, Expr::value(trace))
                    .filter(media_check::Column::Id.eq(claim.id))
                    .exec(&state.db)
                    .await?;
                sent += 1;
            }
            Err(e) => {
                // Let the next round try again.
                tracing::warn!(error = ?e, "media_check_async failed; will retry");
                media_check::Entity::delete_by_id(claim.id).exec(&state.db).await?;
            }
        }
    }
    Ok(sent)
}

/// Records WeChat's verdict on the photo behind `trace_id`, hiding it when risky. Returns whether the trace id
/// was one of ours.
pub async fn record_verdict(state: &AppState, trace_id: &str, suggest: &str, label: Option<String>) -> AppResult<bool> {
    let Some(row) = media_check::Entity::find().filter(media_check::Column::TraceId.eq(trace_id)).one(&state.db).await? else {
        return Ok(false);
    };
    let status = match suggest {
        "pass" => MediaCheckStatus::Pass,
        "review" => MediaCheckStatus::Review,
        "risky" => MediaCheckStatus::Risky,
        _ => return Ok(true),
    };
    let mut change = Change::begin(state, None).await?;
    let txn = change.db();
    media_check::Entity::update_many()
        .col_expr(media_check::Column::Status, Expr::value(status))
        .col_expr(media_check::Column::Label, Expr::value(label.map(|l| l.chars().take(16).collect::<String>())))
        .col_expr(media_check::Column::DecidedAt, Expr::value(Utc::now()))
        .filter(media_check::Column::Id.eq(row.id))
        .exec(txn)
        .await?;
    let hidden = status == MediaCheckStatus::Risky;
    if hidden {
        media::set_hidden(txn, row.photo_id, true).await?;
        tracing::info!(photo = %row.photo_id, "photo hidden: WeChat judged it risky");
    }
    change.emit(DomainEvent::PhotoJudged { photo: row.photo_id, hidden }).await?;
    change.commit().await?;
    Ok(true)
}

/// WeChat's push signature: `sha1` of the token, timestamp and nonce, sorted and joined, in hex. Compared in
/// constant time.
pub fn signature_ok(token: &str, timestamp: &str, nonce: &str, signature: &str) -> bool {
    let mut parts = [token, timestamp, nonce];
    parts.sort_unstable();
    let digest = Sha1::digest(parts.concat().as_bytes());
    let expected: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let given = signature.to_ascii_lowercase();
    expected.len() == given.len() && expected.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Runs the request job every `interval`.
pub fn spawn(state: AppState, interval: std::time::Duration) {
    crate::service::jobs::every(state, interval, "sent photos to WeChat's media check", |s| async move { request_due(&s).await });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_signatures_follow_wechats_rule() {
        // sha1("1409735669" + "414587457" + "token") sorted lexicographically.
        let mut parts = ["token", "1409735669", "414587457"];
        parts.sort_unstable();
        let sig: String = Sha1::digest(parts.concat().as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert!(signature_ok("token", "1409735669", "414587457", &sig));
        assert!(signature_ok("token", "1409735669", "414587457", &sig.to_uppercase()));
        assert!(!signature_ok("token", "1409735669", "414587458", &sig));
        assert!(!signature_ok("other", "1409735669", "414587457", &sig));
        assert!(!signature_ok("token", "1409735669", "414587457", ""));
    }
}
