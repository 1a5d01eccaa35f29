/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The broker serves the built UI from web/dist on the same origin; in development
// the Vite server forwards API paths to a broker running locally.
const brokerUrl = process.env.BROKER_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    // The CSP forbids inline scripts; the polyfill is not needed by supported browsers.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/v1': { target: brokerUrl, changeOrigin: false },
      '/auth': { target: brokerUrl, changeOrigin: false },
      '/.well-known': { target: brokerUrl, changeOrigin: false },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    // The suite shares two cores with the C++ tests under ctest -j2; the 5 s default is too tight.
    testTimeout: 20_000,
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
  },
});
