import { cidr } from '../../../../functions/engine/template/cidr';

describe('cidr', () => {
  it.each([
    ['10.0.0.0/16', 4, 8, ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24']],
    ['10.0.5.7/16', 1, 8, ['10.0.0.0/24']],
    ['192.168.0.0/24', 2, 6, ['192.168.0.0/26', '192.168.0.64/26']],
    ['0.0.0.0/0', 1, 32, ['0.0.0.0/0']],
    ['2001:db8::/32', 3, 80, ['2001:db8::/48', '2001:db8:1::/48', '2001:db8:2::/48']],
    ['fd00::/56', 2, 64, ['fd00::/64', 'fd00:0:0:1::/64']],
    ['2001:db8:0:0:1:0:0:1/128', 1, 0, ['2001:db8::1:0:0:1/128']],
  ])('splits %s into %i subnets of %i host bits', (block, count, bits, expected) => {
    expect(cidr(block, count, bits)).toEqual(expected);
  });

  it.each([
    ['10.0.0.0', 1, 8, 'the block 10.0.0.0 has no prefix length'],
    ['10.0.0.0/33', 1, 8, 'the prefix length of 10.0.0.0/33 is not between 0 and 32'],
    ['10.0.0.0/24', 0, 8, 'the count 0 is not between 1 and 256'],
    ['10.0.0.0/24', 1, 9, '9 host bits do not fit in a /24 block'],
    ['10.0.0.0/24', 3, 7, 'a /24 block holds fewer than 3 subnets of /25'],
    ['10.0.0.256/24', 1, 8, '10.0.0.256 is not an IPv4 address'],
    ['2001:db8:::/48', 1, 80, '2001:db8::: is not an IPv6 address'],
  ])('refuses %s, %i, %i: %s', (block, count, bits, message) => {
    expect(() => cidr(block, count, bits)).toThrow(message);
  });
});
