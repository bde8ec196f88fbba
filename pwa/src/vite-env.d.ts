/// <reference types="vite/client" />

/** The app version (package.json), sent with each sync push. */
declare const __APP_VERSION__: string;
