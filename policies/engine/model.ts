/**
 * The model the rules see: one Terraform configuration ("stack") read from Terraform JSON, with its resources,
 * data sources, providers and `terraform` block flattened into plain lists.
 *
 * Input is Terraform's JSON configuration syntax (https://developer.hashicorp.com/terraform/language/syntax/json),
 * whichever tool wrote it: cdktf's `cdk.tf.json`, or a folder of `*.tf.json` files.
 */
import { isObject, type JsonObject } from './values.js';

export interface TfResource {
  /** `kubernetes_deployment_v1.stable` for managed resources, `data.helm_template.x` for data sources. */
  readonly address: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  /** The resource's arguments as written in the JSON (cdktf's `//` metadata removed). */
  readonly attributes: JsonObject;
}

export interface TfProvider {
  /** Local name, e.g. `kubernetes`. */
  readonly name: string;
  readonly alias?: string;
  readonly attributes: JsonObject;
}

export interface TfRequiredProvider {
  readonly name: string;
  readonly source?: string;
  /** The version constraint string, undefined when none is set. */
  readonly version?: string;
}

export interface TfSettings {
  readonly requiredVersion?: string;
  readonly requiredProviders: readonly TfRequiredProvider[];
  /** Backend type (`s3`, `gcs`, `local`, ...) or undefined when the configuration declares none. */
  readonly backend?: string;
  readonly backendConfig?: JsonObject;
}

export interface StackDoc {
  /** Stack name: the cdktf stack id (its folder under `cdktf.out/stacks`) or the folder/file name. */
  readonly name: string;
  /** Environment suffix of the stack name (`inference-dev` → `dev`), undefined when the name has no dash. */
  readonly environment?: string;
  /** Files the stack was read from (empty when built in memory, e.g. by the aspect). */
  readonly sources: readonly string[];
  readonly resources: readonly TfResource[];
  readonly data: readonly TfResource[];
  readonly providers: readonly TfProvider[];
  readonly settings: TfSettings;
}

/** `inference-staging` → `staging`. */
export function environmentOf(stackName: string): string | undefined {
  const dash = stackName.lastIndexOf('-');
  return dash > 0 ? stackName.slice(dash + 1) : undefined;
}

/** Terraform JSON allows an object or a list of objects at most levels; this walks both as key/value pairs. */
function entries(value: unknown): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v) => entries(v));
  return isObject(value) ? Object.entries(value).filter(([k]) => k !== '//') : [];
}

function withoutMetadata(value: unknown): JsonObject {
  const first = Array.isArray(value) ? value[0] : value;
  if (!isObject(first)) return {};
  const { ['//']: _meta, ...rest } = first;
  return rest;
}

function readResources(section: unknown, mode: 'managed' | 'data'): TfResource[] {
  const out: TfResource[] = [];
  for (const [type, byName] of entries(section)) {
    for (const [name, body] of entries(byName)) {
      const address = mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
      out.push({ address, mode, type, name, attributes: withoutMetadata(body) });
    }
  }
  return out;
}

function readProviders(section: unknown): TfProvider[] {
  const out: TfProvider[] = [];
  for (const [name, configs] of entries(section)) {
    const list = Array.isArray(configs) ? configs : [configs];
    for (const config of list.filter(isObject)) {
      const alias = typeof config['alias'] === 'string' ? config['alias'] : undefined;
      out.push({ name, ...(alias ? { alias } : {}), attributes: withoutMetadata(config) });
    }
  }
  return out;
}

function readSettings(section: unknown): TfSettings {
  const blocks = Array.isArray(section) ? section.filter(isObject) : isObject(section) ? [section] : [];
  let requiredVersion: string | undefined;
  const requiredProviders: TfRequiredProvider[] = [];
  let backend: string | undefined;
  let backendConfig: JsonObject | undefined;
  for (const tf of blocks) {
    if (typeof tf['required_version'] === 'string') requiredVersion = tf['required_version'];
    for (const [name, spec] of entries(tf['required_providers'])) {
      // Terraform 0.12 allowed `name = "constraint"`; 0.13+ uses `{ source, version }`.
      if (typeof spec === 'string') requiredProviders.push({ name, version: spec });
      else if (isObject(spec)) {
        const source = typeof spec['source'] === 'string' ? spec['source'] : undefined;
        const version = typeof spec['version'] === 'string' ? spec['version'] : undefined;
        requiredProviders.push({ name, ...(source ? { source } : {}), ...(version ? { version } : {}) });
      }
    }
    for (const [type, config] of entries(tf['backend'])) {
      backend = type;
      backendConfig = withoutMetadata(config);
    }
    if (isObject(tf['cloud'])) backend = 'cloud';
  }
  return {
    ...(requiredVersion ? { requiredVersion } : {}),
    requiredProviders,
    ...(backend ? { backend } : {}),
    ...(backendConfig ? { backendConfig } : {}),
  };
}

/**
 * Builds a stack from one or more parsed Terraform JSON documents (Terraform merges every `*.tf.json` of a
 * folder into one module, so several documents may form one stack).
 */
export function stackFromJson(name: string, documents: readonly unknown[], sources: readonly string[] = []): StackDoc {
  const resources: TfResource[] = [];
  const data: TfResource[] = [];
  const providers: TfProvider[] = [];
  const settings: TfSettings[] = [];
  documents.forEach((doc, i) => {
    if (!isObject(doc)) {
      throw new Error(`${sources[i] ?? name}: Terraform JSON must be an object at the top level`);
    }
    resources.push(...readResources(doc['resource'], 'managed'));
    data.push(...readResources(doc['data'], 'data'));
    providers.push(...readProviders(doc['provider']));
    if (doc['terraform'] !== undefined) settings.push(readSettings(doc['terraform']));
  });
  const merged: TfSettings = settings.reduce<TfSettings>(
    (acc, s) => ({
      ...acc,
      ...s,
      requiredProviders: [...acc.requiredProviders, ...s.requiredProviders],
    }),
    { requiredProviders: [] },
  );
  const environment = environmentOf(name);
  return { name, ...(environment ? { environment } : {}), sources, resources, data, providers, settings: merged };
}
