import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { KernelResult } from './kernels.js';
import type { ModelResult } from './models.js';

/** A results file: what ran, where, on which commit. Compared across commits by `--compare`. */
export interface BenchResults {
  schema: 1;
  createdAt: string;
  quick: boolean;
  machine: MachineInfo;
  commit: { sha: string | null; dirty: boolean | null };
  versions: Record<string, string | null>;
  kernels: KernelResult[];
  models: ModelResult[];
  /** Peak RSS of a Node process that loads nothing. */
  nodeBaselineRssBytes: number | null;
  wallSeconds: number;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryBytes: number;
  platform: string;
  arch: string;
  node: string;
  v8: string;
  /** 1-minute load average when the run started: other work on the machine skews figures. */
  loadAverage: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown', cores: os.availableParallelism(), memoryBytes: os.totalmem(),
    platform: os.platform(), arch: os.arch(), node: process.version, v8: process.versions.v8, loadAverage: os.loadavg()[0],
  };
}

/** HEAD and whether the tree has uncommitted changes (null outside a git checkout). */
export function commitInfo(cwd: string): { sha: string | null; dirty: boolean | null } {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { sha, dirty: status.trim().length > 0 };
  } catch {
    return { sha: null, dirty: null };
  }
}

export function saveResults(dir: string, r: BenchResults): string {
  mkdirSync(dir, { recursive: true });
  const stamp = r.createdAt.replace(/[:.]/g, '-');
  const file = join(dir, `${stamp}${r.commit.sha ? `-${r.commit.sha.slice(0, 8)}` : ''}${r.quick ? '-quick' : ''}.json`);
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  return file;
}

export function loadResults(file: string): BenchResults {
  const r = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  if (r.schema !== 1 || !Array.isArray(r.kernels) || !Array.isArray(r.models)) throw new Error(`${file} is not a Tessera bench results file (schema 1)`);
  return r;
}
