// The pages, built into dist/ and served by the app: graphiql.html at /graphql,
// dashboard.html at /dashboard, pages.html at every page path of the pages
// app (/, /me, /apply, /manage/..., /staff), everything else under /static/assets/.
// Nothing is loaded from another origin at run time.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: '/static/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Inlined assets would be data: URLs the Content-Security-Policy must then allow.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 6000,
    rollupOptions: {
      input: {
        graphiql: 'graphiql.html',
        dashboard: 'dashboard.html',
        pages: 'pages.html',
      },
      // GraphiQL's modules start with React Compiler's "use no memo"; bundling drops it harmlessly.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
