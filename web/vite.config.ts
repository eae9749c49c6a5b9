import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

/** Where `npm run dev -w web` sends GraphQL: the gateway `npm start` runs, unless GATEWAY_URL says otherwise. */
const gatewayUrl = process.env['GATEWAY_URL'] ?? `http://127.0.0.1:${process.env['GATEWAY_PORT'] ?? '4000'}`;

export default defineConfig({
  // The gateway serves the build at /app/ (gateway/src/web-app.ts).
  base: '/app/',
  plugins: [react()],
  resolve: {
    // The gateway's playground keeps React 18 at the root of node_modules; @apollo/client (hoisted
    // there too) must use the app's React 19, the one copy in web/node_modules.
    dedupe: ['react', 'react-dom'],
  },
  server: {
    proxy: {
      // HTTP (queries, mutations, multipart subscriptions) and WebSocket upgrades alike.
      '/graphql': { target: gatewayUrl, changeOrigin: true, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    include: ['test/**/*.test.ts'],
  },
});
