// The optional "a code arrived" signal: a short, quiet two-tone chime and a brief vibration. Made with
// Web Audio, so there is no sound file to load; the audio context is created by the click that turns
// the option on, as browsers require.

let audio: AudioContext | undefined;

/** Call from a user gesture (the click on the option) so the browser allows sound later. */
export function primeSound(): void {
  try {
    audio ??= new AudioContext();
    void audio.resume();
  } catch {
    audio = undefined;
  }
}

export function signalCodeArrived(): void {
  navigator.vibrate?.([60, 40, 60]);
  if (!audio) return;
  const start = audio.currentTime;
  for (const [offset, frequency] of [
    [0, 880],
    [0.14, 1320],
  ] as const) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.06, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.12);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start + offset);
    oscillator.stop(start + offset + 0.13);
  }
}
