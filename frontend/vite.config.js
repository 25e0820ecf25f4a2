// Three pages, built into dist/ and served by the app: the HTML files at
// /graphql, /dashboard and /dashboard/signed-in, everything else under
// /static/assets/. Nothing is loaded from another origin at run time.
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
        'signed-in': 'signed-in.html',
      },
      // GraphiQL's modules start with React Compiler's "use no memo"; bundling drops it harmlessly.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
