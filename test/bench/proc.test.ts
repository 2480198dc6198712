// Reading a process's memory from /proc/<pid>/status.
import { expect } from 'chai';
import { memoryOf, parseStatus } from '../../scripts/bench/proc.js';

describe('bench: process memory', () => {
  it('reads the peak, current, anonymous and file-backed resident set in bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmHWM:\t  400000 kB\nVmRSS:\t  300000 kB\nRssAnon:\t  100000 kB\nRssFile:\t  190000 kB\nRssShmem:\t   10000 kB\n';
    expect(parseStatus(status)).to.deep.equal({ peakRssBytes: 400000 * 1024, rssBytes: 300000 * 1024, anonBytes: 100000 * 1024, fileBytes: 190000 * 1024 });
  });

  it('leaves out what the text does not say', () => {
    expect(parseStatus('Name:\tnode\nVmRSS:\t 2048 kB\n')).to.deep.equal({ rssBytes: 2048 * 1024 });
    expect(memoryOf(-1)).to.deep.equal({});
  });
});
