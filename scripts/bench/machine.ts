// The facts about this machine that a benchmark figure needs next to it.
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem, type } from 'node:os';

export interface MachineFacts {
  nproc: number;
  cpu: string;
  memoryGiB: number;
  os: string;
  node: string;
  sqlite: string;
}

export function machineFacts(): MachineFacts {
  let sqlite = 'unknown';
  try {
    const db = new Database(':memory:');
    sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    db.close();
  } catch {
    // reported as unknown
  }
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1]!.trim();
  } catch {
    // not Linux
  }
  return {
    nproc: availableParallelism(),
    cpu,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    sqlite,
  };
}


export { codeState } from '../estate/code-state.js';
