// Start-up timing: the server's own figure read from its log, and the summary of several starts.
import { expect } from 'chai';
import { parseStartupMs, summariseStartup } from '../../scripts/bench/startup.js';

describe('bench: start-up timing', () => {
  it("reads startupMs from main.ts's listening line, plain JSON or a structured logger's", () => {
    expect(parseStartupMs('{"msg":"envelope listening","address":"127.0.0.1:4000","startupMs":653}\n')).to.equal(653);
    const pino = '{"level":30,"time":1763730000000,"pid":7,"address":"127.0.0.1:4000","port":4000,"tls":false,"startupMs":812,"msg":"envelope listening"}';
    expect(parseStartupMs(`{"level":30,"msg":"store opened"}\n${pino}\n{"level":30,"msg":"request","statusCode":200}\n`)).to.equal(812);
  });

  it('takes the last listening line (a log appended to by several starts)', () => {
    const log = ['{"msg":"envelope listening","startupMs":700}', '{"msg":"envelope stopping"}', '{"msg":"envelope listening","startupMs":650}'].join('\n');
    expect(parseStartupMs(log)).to.equal(650);
  });

  it('ignores other messages, text that is not JSON, and figures that are not a duration', () => {
    expect(parseStartupMs('')).to.equal(undefined);
    expect(parseStartupMs('envelope listening after 500 ms\n')).to.equal(undefined);
    expect(parseStartupMs('{"msg":"envelope listening","startupMs":"650"}')).to.equal(undefined);
    expect(parseStartupMs('{"msg":"envelope listening","startupMs":-1}')).to.equal(undefined);
    expect(parseStartupMs('{"msg":"not envelope listening","startupMs":5}')).to.equal(undefined);
    expect(parseStartupMs('{"msg":"envelope listening","startupMs":650')).to.equal(undefined);
  });

  it('summarises starts by median, min and max', () => {
    const s = summariseStartup([
      { healthzMs: 700, firstReadMs: 760, serverReportedMs: 450, rssBytes: 100 },
      { healthzMs: 600, firstReadMs: 640 },
      { healthzMs: 650, firstReadMs: 690, serverReportedMs: 410, rssBytes: 120 },
    ]);
    expect(s.runs).to.equal(3);
    expect(s.healthzMs).to.deep.equal({ median: 650, min: 600, max: 700 });
    expect(s.firstReadMs).to.deep.equal({ median: 690, min: 640, max: 760 });
    expect(s.serverReportedMs).to.equal(430);
    expect(s.rssBytes).to.equal(110);
    expect(() => summariseStartup([])).to.throw('no start-up samples');
  });
});
