// Typed documents: write `graphql(\`query …\`)` in a page, run `npm run codegen`, use the result with urql.
export { graphql } from './gql';
export type * from './gql/graphql';
