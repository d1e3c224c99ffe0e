//! The grid: area (片) → group (组) → neighbourhood (邻), and which building units each neighbourhood covers.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("grid_area");
        t.col(string_len("name", 64));
        fk(&mut t, "grid_area", "community_id", "community");
        m.create_table(t).await?;
        unique(m, "grid_area", &["community_id", "name"]).await?;

        let mut t = table("grid_group");
        t.col(string_len("name", 64));
        fk(&mut t, "grid_group", "area_id", "grid_area");
        m.create_table(t).await?;
        unique(m, "grid_group", &["area_id", "name"]).await?;

        let mut t = table("neighbourhood");
        t.col(string_len("name", 64));
        fk(&mut t, "neighbourhood", "group_id", "grid_group");
        fk(&mut t, "neighbourhood", "compound_id", "compound");
        m.create_table(t).await?;
        unique(m, "neighbourhood", &["group_id", "name"]).await?;
        index(m, "neighbourhood", &["compound_id"]).await?;

        // A building unit (单元) belongs to at most one neighbourhood; residences find their neighbourhood here.
        let mut t = table("neighbourhood_unit");
        t.col(integer("unit"));
        fk(&mut t, "neighbourhood_unit", "neighbourhood_id", "neighbourhood");
        fk(&mut t, "neighbourhood_unit", "building_id", "building");
        m.create_table(t).await?;
        unique(m, "neighbourhood_unit", &["building_id", "unit"]).await?;
        index(m, "neighbourhood_unit", &["neighbourhood_id"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["neighbourhood_unit", "neighbourhood", "grid_group", "grid_area"]).await
    }
}
