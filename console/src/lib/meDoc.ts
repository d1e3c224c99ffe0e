// The signed-in user's query (useMe(), and lib/firstPage.ts at start-up): a module of its own, without React.
import { graphql } from '../gql';

export const MeDoc = graphql(`
  query Me {
    me {
      id
      nickname
      phone
      roles {
        id
        role
        active
        scope {
          id
          __typename
          ... on District { name }
          ... on Street { name }
          ... on Community { name }
          ... on Compound { name }
          ... on Area { name }
          ... on Group { name }
          ... on Neighbourhood { name }
          ... on PropertyCompany { name }
          ... on Merchant { name }
        }
      }
    }
  }
`);
