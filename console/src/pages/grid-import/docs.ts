import { graphql } from '../../gql';

export const PreviewGridImportDoc = graphql(`
  mutation PreviewGridImport($input: GridImportInput!) {
    previewGridImport(input: $input) {
      valid
      creates
      unchanged
      errors
      warnings
      rows {
        line
        area
        group
        neighbourhood
        compound
        building
        unit
        headName
        headPhone
        outcome
        messages { column severity code message }
      }
    }
  }
`);

export const ApplyGridImportDoc = graphql(`
  mutation ApplyGridImport($input: GridImportInput!) {
    applyGridImport(input: $input) { areasCreated groupsCreated neighbourhoodsCreated unitsAssigned headsAppointed }
  }
`);
