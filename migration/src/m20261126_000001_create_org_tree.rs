//! The organisation tree: district → street → community → compound → building.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(table("district").col(string_len("name", 64)).to_owned()).await?;

        let mut t = table("street");
        t.col(string_len("name", 64));
        fk(&mut t, "street", "district_id", "district");
        m.create_table(t).await?;
        unique(m, "street", &["district_id", "name"]).await?;

        let mut t = table("community");
        t.col(string_len("name", 64));
        fk(&mut t, "community", "street_id", "street");
        m.create_table(t).await?;
        unique(m, "community", &["street_id", "name"]).await?;

        let mut t = table("compound");
        t.col(string_len("name", 64)).col(string_len("address", 200));
        fk(&mut t, "compound", "community_id", "community");
        m.create_table(t).await?;
        unique(m, "compound", &["community_id", "name"]).await?;

        let mut t = table("building");
        t.col(string_len("name", 64)).col(integer("unit_count"));
        fk(&mut t, "building", "compound_id", "compound");
        m.create_table(t).await?;
        unique(m, "building", &["compound_id", "name"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["building", "compound", "community", "street", "district"]).await
    }
}
