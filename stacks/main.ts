/** Entry point for `cdktf synth` / `npm run synth`: builds every environment's stacks and writes cdktf.out/. */
import { buildApp } from './app.js';

buildApp().synth();
