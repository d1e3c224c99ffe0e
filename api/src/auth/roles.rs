//! Roles and the grants (role × scope) a user holds right now.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::Kind;

/// A role a user can be appointed to. The scope it applies to is implied by the role.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// 邻长: head of one neighbourhood.
    NeighbourHead,
    /// 组长: head of one grid group.
    GroupHead,
    /// 片长: head of one grid area.
    AreaHead,
    /// Administrator of one community.
    CommunityAdmin,
    /// Administrator of one street.
    StreetAdmin,
    /// Administrator of one district.
    DistrictAdmin,
    /// Staff of one property company.
    PropertyStaff,
    /// Staff of one partner merchant (verifies redemptions).
    MerchantStaff,
}

impl Role {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::NeighbourHead => "NEIGHBOUR_HEAD",
            Role::GroupHead => "GROUP_HEAD",
            Role::AreaHead => "AREA_HEAD",
            Role::CommunityAdmin => "COMMUNITY_ADMIN",
            Role::StreetAdmin => "STREET_ADMIN",
            Role::DistrictAdmin => "DISTRICT_ADMIN",
            Role::PropertyStaff => "PROPERTY_STAFF",
            Role::MerchantStaff => "MERCHANT_STAFF",
        }
    }

    /// Reads the stored form.
    pub fn parse(s: &str) -> Option<Role> {
        [
            Role::NeighbourHead,
            Role::GroupHead,
            Role::AreaHead,
            Role::CommunityAdmin,
            Role::StreetAdmin,
            Role::DistrictAdmin,
            Role::PropertyStaff,
            Role::MerchantStaff,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    /// The kind of unit this role's scope is.
    pub fn scope_kind(self) -> Kind {
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

    /// Heads have one holder per unit at a time; admins and staff may be several.
    pub fn is_head(self) -> bool {
        matches!(self, Role::NeighbourHead | Role::GroupHead | Role::AreaHead)
    }
}

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
    fn roles_round_trip() {
        for r in [Role::NeighbourHead, Role::GroupHead, Role::AreaHead, Role::CommunityAdmin, Role::StreetAdmin,
                  Role::DistrictAdmin, Role::PropertyStaff] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("ROOT"), None);
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
