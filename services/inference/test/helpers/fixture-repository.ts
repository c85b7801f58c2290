import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../../src/model-repository/integrity.js';

/** A model repository in a temp folder, built file by file. */
export class FixtureRepository {
  private constructor(readonly root: string) {}

  static async create(): Promise<FixtureRepository> {
    return new FixtureRepository(await mkdtemp(join(tmpdir(), 'model-repo-')));
  }

  /** Writes `<model>/<version>/model.onnx`; returns its SHA-256. */
  async addVersion(model: string, version: number, bytes: Uint8Array): Promise<string> {
    await mkdir(join(this.root, model, String(version)), { recursive: true });
    await writeFile(join(this.root, model, String(version), 'model.onnx'), bytes);
    return sha256Hex(bytes);
  }

  async writeConfig(model: string, config: unknown): Promise<void> {
    await mkdir(join(this.root, model), { recursive: true });
    await writeFile(join(this.root, model, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  }

  /** Copies the committed demo model (and its config.json) in as `name`. */
  async addDemo(name = 'demo'): Promise<void> {
    const source = fileURLToPath(new URL('../../models/demo/', import.meta.url));
    await mkdir(join(this.root, name, '1'), { recursive: true });
    await copyFile(join(source, '1', 'model.onnx'), join(this.root, name, '1', 'model.onnx'));
    await copyFile(join(source, 'config.json'), join(this.root, name, 'config.json'));
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
