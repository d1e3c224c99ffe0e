//! Public IDs: opaque, typed, never sequential. `cpd_0193…` is a compound, `usr_0193…` a user.
//!
//! Rows are keyed by UUIDv7 (time-ordered, so keyset pagination and B-tree inserts stay cheap, and 74 random bits
//! so they cannot be guessed). The prefix lets `node(id)` know what it is looking at and lets a resolver refuse an
//! ID of the wrong kind with a clear message instead of a confusing NOT_FOUND.
use async_graphql::ID;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::msg;

/// The kinds of object that have public IDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// 区
    District,
    /// 镇街
    Street,
    /// 社区
    Community,
    /// 小区
    Compound,
    /// 楼栋
    Building,
    /// 片
    Area,
    /// 组
    Group,
    /// 邻
    Neighbourhood,
    /// A user.
    User,
    /// An appointment to a role.
    Appointment,
    /// A residence claim.
    Residence,
    /// A property company.
    PropertyCompany,
    /// A compound-management period.
    CompoundManagement,
    /// A problem report.
    Report,
    /// A report category.
    Category,
    /// A comment on a report.
    Comment,
    /// A timeline event of a report.
    ReportEvent,
    /// An uploaded photo.
    Photo,
    /// An in-app notification.
    Notification,
    /// A partner merchant.
    Merchant,
    /// An incentive package.
    Package,
    /// A redemption of a package.
    Redemption,
    /// A points ledger entry.
    PointsEntry,
    /// A best-neighbour-head voting period.
    VotePeriod,
    /// A background export of reports.
    Export,
    /// A console session.
    ConsoleSession,
    /// An API key (Open311).
    ApiKey,
    /// A webhook.
    Webhook,
}

const KINDS: [(Kind, &str); 28] = [
    (Kind::District, "dst"),
    (Kind::Street, "str"),
    (Kind::Community, "com"),
    (Kind::Compound, "cpd"),
    (Kind::Building, "bld"),
    (Kind::Area, "are"),
    (Kind::Group, "grp"),
    (Kind::Neighbourhood, "nbh"),
    (Kind::User, "usr"),
    (Kind::Appointment, "apt"),
    (Kind::Residence, "res"),
    (Kind::PropertyCompany, "pco"),
    (Kind::CompoundManagement, "cmg"),
    (Kind::Report, "rpt"),
    (Kind::Category, "cat"),
    (Kind::Comment, "cmt"),
    (Kind::ReportEvent, "evt"),
    (Kind::Photo, "pho"),
    (Kind::Notification, "ntf"),
    (Kind::Merchant, "mer"),
    (Kind::Package, "pkg"),
    (Kind::Redemption, "rdm"),
    (Kind::PointsEntry, "pte"),
    (Kind::VotePeriod, "vtp"),
    (Kind::Export, "exp"),
    (Kind::ConsoleSession, "css"),
    (Kind::ApiKey, "key"),
    (Kind::Webhook, "whk"),
];

impl serde::Serialize for Kind {
    /// As its Rust name in capitals (`COMPOUND`, `PROPERTY_COMPANY`), e.g. in the event log.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl Kind {
    /// Its Rust name in capitals (`COMPOUND`, `PROPERTY_COMPANY`): how the event log and the audit log store it.
    pub fn name(self) -> String {
        let name = format!("{self:?}");
        let mut out = String::with_capacity(name.len() + 4);
        for (i, c) in name.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }

    /// The kind stored as `name` ([`Kind::name`]).
    pub fn from_name(name: &str) -> Option<Kind> {
        KINDS.iter().map(|(k, _)| *k).find(|k| k.name() == name)
    }

    fn prefix(self) -> &'static str {
        KINDS.iter().find(|(k, _)| *k == self).map(|(_, p)| *p).expect("every kind has a prefix")
    }
}

/// A new time-ordered row id.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// The public ID of a row.
pub fn encode(kind: Kind, id: Uuid) -> ID {
    ID(format!("{}_{}", kind.prefix(), id.simple()))
}

/// Reads any public ID.
pub fn decode_any(id: &str, field: &'static str) -> AppResult<(Kind, Uuid)> {
    let malformed = || {
        AppError::bad_input(field, msg!("ID 格式不正确：{}", "Malformed ID: {}", truncate(id)))
    };
    let (prefix, rest) = id.split_once('_').ok_or_else(malformed)?;
    let kind = KINDS.iter().find(|(_, p)| *p == prefix).map(|(k, _)| *k).ok_or_else(malformed)?;
    if rest.len() != 32 {
        return Err(malformed());
    }
    let uuid = Uuid::parse_str(rest).map_err(|_| malformed())?;
    Ok((kind, uuid))
}

/// Reads a public ID that must be of `kind`; `field` names the argument for the error.
pub fn decode(id: &str, kind: Kind, field: &'static str) -> AppResult<Uuid> {
    let (k, uuid) = decode_any(id, field)?;
    if k != kind {
        return Err(AppError::bad_input(
            field,
            msg!("ID 类型不对：{}", "This ID is of the wrong kind: {}", truncate(id)),
        ));
    }
    Ok(uuid)
}

fn truncate(s: &str) -> String {
    s.chars().take(48).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_kind_check() {
        let u = new_id();
        let id = encode(Kind::Compound, u);
        assert!(id.0.starts_with("cpd_"));
        assert_eq!(decode(&id, Kind::Compound, "id").unwrap(), u);
        let err = decode(&id, Kind::Building, "buildingId").unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }

    #[test]
    fn malformed_ids_are_bad_input() {
        for bad in ["", "cpd", "cpd_", "xyz_0193", "cpd_zzzz", "12345", "cpd_0193e0b2-7c1a-7000-8000-000000000000"] {
            assert_eq!(decode_any(bad, "id").unwrap_err().code(), "BAD_USER_INPUT", "{bad}");
        }
    }

    #[test]
    fn stored_names_round_trip() {
        for (k, _) in KINDS {
            assert_eq!(Kind::from_name(&k.name()), Some(k));
        }
        assert_eq!(Kind::PropertyCompany.name(), "PROPERTY_COMPANY");
    }

    #[test]
    fn ids_are_time_ordered() {
        let a = new_id();
        let b = new_id();
        assert!(a < b);
    }
}
