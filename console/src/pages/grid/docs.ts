// The grid page's documents: the org tree level by level, appointments, residences.
import { graphql } from '../../gql';

export const GridDistrictsDoc = graphql(`
  query GridDistricts($first: Int, $after: String) {
    districts(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id name }
    }
  }
`);

export const GridStreetsDoc = graphql(`
  query GridStreets($id: ID!, $first: Int, $after: String) {
    node(id: $id) {
      id
      ... on District {
        streets(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }
      }
    }
  }
`);

export const GridCompaniesDoc = graphql(`
  query GridCompanies($id: ID!, $first: Int, $after: String) {
    node(id: $id) {
      id
      ... on District {
        propertyCompanies(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }
      }
    }
  }
`);

export const GridCommunitiesDoc = graphql(`
  query GridCommunities($id: ID!, $first: Int, $after: String) {
    node(id: $id) {
      id
      ... on Street {
        communities(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } }
      }
    }
  }
`);

export const GridCompoundsDoc = graphql(`
  query GridCompounds($id: ID!, $first: Int, $after: String) {
    node(id: $id) {
      id
      ... on Community {
        compounds(first: $first, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes { id name address propertyCompany { id name } }
        }
      }
    }
  }
`);

export const GridAreasDoc = graphql(`
  query GridAreas($id: ID!, $first: Int, $after: String) {
    node(id: $id) {
      id
      ... on Community {
        areas(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name head { id nickname } } }
      }
    }
  }
`);

export const GridBuildingsDoc = graphql(`
  query GridBuildings($id: ID!, $first: Int, $after: String) {
    node(id: $id) {
      id
      ... on Compound {
        buildings(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name unitCount } }
      }
    }
  }
`);

export const GridGroupsDoc = graphql(`
  query GridGroups($id: ID!, $first: Int, $after: String) {
    node(id: $id) {
      id
      ... on Area {
        groups(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name head { id nickname } } }
      }
    }
  }
`);

export const GridNeighbourhoodsDoc = graphql(`
  query GridNeighbourhoods($id: ID!, $first: Int, $after: String) {
    node(id: $id) {
      id
      ... on Group {
        neighbourhoods(first: $first, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes {
            id
            name
            head { id nickname }
            compound { id name }
            units { unit building { id name } }
          }
        }
      }
    }
  }
`);

export const GridAppointmentsDoc = graphql(`
  query GridAppointments($scopeId: ID!, $activeOnly: Boolean!, $first: Int, $after: String) {
    appointments(scopeId: $scopeId, activeOnly: $activeOnly, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id role active startsAt endsAt user { id nickname } }
    }
  }
`);

export const GridAppointDoc = graphql(`
  mutation GridAppoint($input: AppointInput!) {
    appoint(input: $input) { id role active startsAt endsAt user { id nickname } }
  }
`);

export const GridRevokeDoc = graphql(`
  mutation GridRevoke($id: ID!) {
    revokeAppointment(id: $id) { id role active startsAt endsAt user { id nickname } }
  }
`);

export const GridResidencesDoc = graphql(`
  query GridResidences($scopeId: ID!, $status: ResidenceStatus, $first: Int, $after: String) {
    residences(scopeId: $scopeId, status: $status, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        status
        unit
        room
        createdAt
        building { id name compound { id name } }
        neighbourhood { id name }
        user { id nickname }
      }
    }
  }
`);

export const GridVerifyResidenceDoc = graphql(`
  mutation GridVerifyResidence($id: ID!) {
    verifyResidence(id: $id) { id status reviewedAt }
  }
`);

export const GridRejectResidenceDoc = graphql(`
  mutation GridRejectResidence($id: ID!, $reason: String!) {
    rejectResidence(id: $id, reason: $reason) { id status reviewedAt rejectReason }
  }
`);

export const GridResidentSearchDoc = graphql(`
  query GridResidentSearch($scopeId: ID!, $q: String, $first: Int) {
    residences(scopeId: $scopeId, status: VERIFIED, search: $q, first: $first) {
      nodes { id unit room user { id nickname } building { id name compound { id name } } }
    }
  }
`);
