#!/usr/bin/env node
// The installed `brook` command runs the compiled CLI from dist/ (built by `npm run build`).
import '../dist/src/cli/main.js'
