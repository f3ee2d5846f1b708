import { existsSync } from 'node:fs';
import type { CodegenConfig } from '@graphql-codegen/cli';

// The server schema lives in ../graph (gqlgen's *.graphqls plus entgql's
// ent.graphql). Until the Go side has generated it, codegen reads a small
// stand-in so the UI still builds. Paths are relative to web/, where npm runs.
const serverSchema = ['../graph/ent.graphql', '../graph/*.graphqls'];
const schema = existsSync('../graph/ent.graphql') ? serverSchema : ['schema.fallback.graphql'];

const config: CodegenConfig = {
  schema,
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: true,
  generates: {
    './src/gql/': {
      preset: 'client',
      // Fragments are shared field lists (Money, addresses), not component
      // data boundaries, so their fields are read directly, unmasked.
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        defaultScalarType: 'unknown',
        // docs/api.md "GraphQL shape": Decimal and Quantity are decimal strings, Date is
        // "2026-11-21", Time is RFC 3339; Int64 may arrive as a number or a string.
        scalars: {
          Cursor: 'string',
          Date: 'string',
          Decimal: 'string',
          Int64: { input: 'string', output: 'string | number' },
          Quantity: 'string',
          Time: 'string',
        },
      },
    },
  },
};

export default config;
