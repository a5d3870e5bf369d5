// Country flags are emoji (two regional-indicator letters). Some systems (Windows, Linux without an
// emoji font) draw them as two letters in boxes, so we check once whether a flag is drawn in colour and
// otherwise show the country code as a small badge.

let supported: boolean | undefined;

export function flagEmojiSupported(): boolean {
  if (supported !== undefined) return supported;
  supported = false;
  try {
    const canvas = document.createElement('canvas');
    canvas.width = 16;
    canvas.height = 16;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return supported;
    context.textBaseline = 'top';
    context.font = '16px sans-serif';
    context.fillText('\u{1F1FA}\u{1F1F8}', 0, 0);
    const pixels = context.getImageData(0, 0, 16, 16).data;
    // A coloured pixel (channels that differ) means a real flag; letters in boxes are drawn in one colour.
    for (let i = 0; i < pixels.length; i += 4) {
      const [r = 0, g = 0, b = 0, a = 0] = [pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]];
      if (a > 0 && (Math.abs(r - g) > 30 || Math.abs(g - b) > 30)) {
        supported = true;
        break;
      }
    }
  } catch {
    supported = false;
  }
  return supported;
}
