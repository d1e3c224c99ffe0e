//! Roles and the grants (role × scope) a user holds right now.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::Kind;

pub use entity::enums::Role;

/// What a role is over, and whether it is a head's.
pub trait RoleScope {
    /// The kind of unit this role's scope is.
    fn scope_kind(self) -> Kind;
    /// Heads have one holder per unit at a time; admins and staff may be several.
    fn is_head(self) -> bool;
}

impl RoleScope for Role {
    fn scope_kind(self) -> Kind {
        match self {
            Role::NeighbourHead => Kind::Neighbourhood,
            Role::GroupHead => Kind::Group,
            Role::AreaHead => Kind::Area,
            Role::CommunityAdmin => Kind::Community,
            Role::StreetAdmin => Kind::Street,
            Role::DistrictAdmin => Kind::District,
            Role::PropertyStaff => Kind::PropertyCompany,
            Role::MerchantStaff => Kind::Merchant,
        }
    }

    fn is_head(self) -> bool {
        match self {
            Role::NeighbourHead | Role::GroupHead | Role::AreaHead => true,
            Role::CommunityAdmin | Role::StreetAdmin | Role::DistrictAdmin | Role::PropertyStaff | Role::MerchantStaff => false,
        }
    }
}

/// The head roles, lowest first.
pub const HEAD_ROLES: [Role; 3] = [Role::NeighbourHead, Role::GroupHead, Role::AreaHead];

/// One role held over one scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The row id of the unit (or company) it applies to.
    pub scope: Uuid,
    /// When it stops (a term end, or a revocation); `None` = open-ended.
    pub ends_at: Option<DateTime<Utc>>,
}

/// Everything a user may act as, right now.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Roles {
    /// The active grants.
    pub grants: Vec<Grant>,
}

impl Roles {
    /// Whether the user holds `role` over `scope`.
    pub fn has(&self, role: Role, scope: Uuid) -> bool {
        self.grants.iter().any(|g| g.role == role && g.scope == scope)
    }

    /// The scopes over which the user holds `role`.
    pub fn scopes(&self, role: Role) -> impl Iterator<Item = Uuid> + '_ {
        self.grants.iter().filter(move |g| g.role == role).map(|g| g.scope)
    }

    /// Whether the user holds `role` anywhere.
    pub fn any(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Drops grants that ended since they were cached.
    pub fn still_active(mut self, now: DateTime<Utc>) -> Self {
        self.grants.retain(|g| g.ends_at.is_none_or(|e| e > now));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_over_grid_units() {
        assert!(HEAD_ROLES.iter().all(|r| r.is_head()));
        assert_eq!(Role::AreaHead.scope_kind(), Kind::Area);
        assert!(!Role::CommunityAdmin.is_head());
    }

    #[test]
    fn ended_grants_drop_out() {
        let now = Utc::now();
        let s = Uuid::now_v7();
        let roles = Roles {
            grants: vec![
                Grant { role: Role::NeighbourHead, scope: s, ends_at: Some(now - chrono::Duration::seconds(1)) },
                Grant { role: Role::GroupHead, scope: s, ends_at: None },
            ],
        }
        .still_active(now);
        assert!(!roles.has(Role::NeighbourHead, s));
        assert!(roles.has(Role::GroupHead, s));
    }
}
