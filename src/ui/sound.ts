// A short tone for an agent message while the window is closed or the page hidden: two soft notes,
// about 150 ms, made with Web Audio (nothing to download). Silent without an AudioContext or when the
// browser blocks audio.
export function playTone(audio: AudioContext | undefined): void {
  if (!audio) return;
  try {
    [659, 880].forEach((frequency, index) => {
      const start = audio.currentTime + index * 0.08;
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(1e-4, start);
      gain.gain.exponentialRampToValueAtTime(0.1, start + 0.01);
      gain.gain.exponentialRampToValueAtTime(1e-4, start + 0.07);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.07);
    });
  } catch {
    // blocked or unsupported: no tone
  }
}
