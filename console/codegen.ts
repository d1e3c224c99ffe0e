import type { CodegenConfig } from '@graphql-codegen/cli';

// `npm run codegen`: types and typed documents from ../schema.graphql and every graphql(`…`) in src/.
const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: true,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: { DateTime: 'string', NaiveDate: 'string' },
        strictScalars: true,
      },
    },
  },
};

export default config;
