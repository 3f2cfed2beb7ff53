/**
 * Whether a text holds part of a secret. A value shown in clear that repeats a stretch of the
 * external ID gives that stretch away as surely as a whole copy would, and masking can only
 * hide whole copies; so a clear value or a name is compared with each secret piece by piece.
 */

/**
 * The shortest stretch of a secret, in characters, that counts as part of it: a quarter of the
 * shortest external ID accepted (32), and 32 bits of a hex secret, too much to give away. A
 * shorter run is too likely to appear by chance in a name, an ARN or an email address.
 * Comparison ignores case: a copy in other capitals gives away nearly as much.
 *
 * Known limitation: a stretch the vendor puts in every external ID (a fixed `acme-connector-`
 * before the random part, say) counts as secret too, so a clear value holding it is refused.
 */
export const SECRET_PART_MIN = 8;

/**
 * Whether `text` holds at least {@link SECRET_PART_MIN} characters in a row of `secret`, in
 * any capitals. The work grows with the lengths of the two texts, not with their product.
 *
 * @example
 * holdsPartOf('acme-9f86d081', '9f86d081884c7d659a2feaa0c55ad015') // true
 */
export function holdsPartOf(text: string, secret: string): boolean {
  return partFinder(secret)(text);
}

/**
 * A test for texts holding part of `secret`, as {@link holdsPartOf} decides, that reads the
 * secret once however many texts it is given.
 */
export function partFinder(secret: string): (text: string) => boolean {
  const pieces = new Set<string>();
  const lowerSecret = secret.toLowerCase();
  for (let i = 0; i + SECRET_PART_MIN <= lowerSecret.length; i += 1) {
    pieces.add(lowerSecret.slice(i, i + SECRET_PART_MIN));
  }
  return (text) => {
    const lowerText = text.toLowerCase();
    for (let i = 0; i + SECRET_PART_MIN <= lowerText.length; i += 1) {
      if (pieces.has(lowerText.slice(i, i + SECRET_PART_MIN))) return true;
    }
    return false;
  };
}
