import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// GraphiQL (GET /graphql) is a build of its own, run after the UI's into the same
// dist/ (emptyOutDir: false): graphiql.html plus its own chunks under assets/, none
// shared with the UI, so the UI's bundle does not grow by the explorer's size.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    rolldownOptions: {
      input: 'graphiql.html',
    },
  },
});
