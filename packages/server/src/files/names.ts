/**
 * Bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) removed: they
 * make a name display other than it is — `invoice\u202Efdp.exe` shows as `invoiceexe.pdf` — and
 * no file name needs them. Names are shown to people, so they are stored without them.
 */
export function stripBidi(name: string): string {
  return name.replace(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g, "");
}
