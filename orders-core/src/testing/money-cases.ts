/** Money amounts a client may give, as the core reads them and as the API stores them. */
export const ACCEPTED: Array<[given: string, stored: string]> = [
  ['12.10', '12.10'],
  ['12.1', '12.10'],
  ['12', '12.00'],
  ['0.01', '0.01'],
  ['99999999.99', '99999999.99'],
];

/** Refused values, each with what the message must say. */
export const REFUSED: Array<[given: unknown, problem: RegExp]> = [
  ['NaN', /decimal string/],
  ['1e3', /decimal string/],
  ['', /decimal string/],
  [' 1', /decimal string/],
  ['1 ', /decimal string/],
  ['Infinity', /decimal string/],
  ['12.345', /decimal string/],
  ['+1', /decimal string/],
  ['.5', /decimal string/],
  ['1.', /decimal string/],
  ['1,50', /decimal string/],
  ['0x10', /decimal string/],
  ['007', /decimal string/],
  ['1'.repeat(40), /decimal string/],
  ['-1.00', /greater than 0\.00/],
  ['0', /greater than 0\.00/],
  ['0.00', /greater than 0\.00/],
  ['100000000', /less than 100000000\.00/],
  ['100000000.00', /less than 100000000\.00/],
  [12.5, /not a number/],
  [12, /not a number/],
];
