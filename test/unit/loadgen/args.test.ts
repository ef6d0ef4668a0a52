import { LOADGEN_DEFAULTS, parseLoadgenArgs } from '../../../services/loadgen/args';

describe('parseLoadgenArgs', () => {
  it('gives the defaults without arguments', () => {
    expect(parseLoadgenArgs([])).toEqual({ ok: true, options: LOADGEN_DEFAULTS });
  });

  it('reads every option', () => {
    const argv = ['--brokers', 'a:1,b:2', '--users', '20', '--rate', '7', '--seconds', '0'];
    argv.push('--prefix', 'demo.', '--seed', '9', '--lag-ms', '250', '--skip', '4000');
    expect(parseLoadgenArgs(argv)).toEqual({
      ok: true,
      options: {
        brokers: 'a:1,b:2',
        users: 20,
        rate: 7,
        seconds: 0,
        prefix: 'demo.',
        seed: 9,
        lagMs: 250,
        skip: 4000,
      },
    });
  });

  it.each([
    [['--users'], /--users needs a value/],
    [['--speed', '3'], /Unknown option --speed/],
    [['--rate', 'fast'], /--rate must be an integer of at least 1, not "fast"/],
    [['--users', '0'], /--users must be an integer of at least 1/],
    [['--seconds', '-1'], /--seconds must be an integer of at least 0/],
    [['--rate', '1.5'], /--rate must be an integer/],
    [['--skip', '-5'], /--skip must be an integer of at least 0/],
    [['--brokers', ' '], /--brokers must name a broker/],
  ])('refuses %j with a sentence', (argv, message) => {
    const result = parseLoadgenArgs(argv);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});
