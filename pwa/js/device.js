// What the phone itself offers: its position, its camera's pictures (made small here, before they are stored or
// sent), dictation where the browser has speech recognition, and a pad to sign on.

// The position for a check-in or check-out, or why there is none (the office sees the reason).
export function position(timeout = 10000) {
  return new Promise((resolve) => {
    if (!("geolocation" in navigator)) return resolve({ position_problem: "unavailable" });
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({
        position: {
          lat: round(p.coords.latitude, 6), lng: round(p.coords.longitude, 6),
          accuracy: p.coords.accuracy != null ? Math.min(100000, round(p.coords.accuracy, 1)) : null,
        },
      }),
      (error) => resolve({ position_problem: { 1: "denied", 2: "unavailable", 3: "timeout" }[error.code] || "unavailable" }),
      { enableHighAccuracy: true, timeout, maximumAge: 60000 },
    );
  });
}

const round = (value, digits) => Math.round(value * 10 ** digits) / 10 ** digits;

// A camera picture is 3-12 MB; what the office needs is a clear JPEG of at most ~1600 px on the long side.
export const MAX_SIDE = 1600;

export async function resize(file, maxSide = MAX_SIDE, quality = 0.82) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = typeof OffscreenCanvas !== "undefined" ? new OffscreenCanvas(width, height) : sized(width, height);
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff"; // a transparent PNG from the gallery becomes white, not black, as a JPEG
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close && bitmap.close();
  const blob = canvas.convertToBlob
    ? await canvas.convertToBlob({ type: "image/jpeg", quality })
    : await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
  return { blob, width, height };
}

function sized(width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

// Dictation: the Web Speech API where the browser has it, in the person's language. Absent: null, and the
// page shows no button.
export function recognizer(lang) {
  const Recognition = self.SpeechRecognition || self.webkitSpeechRecognition;
  if (!Recognition) return null;
  const recognition = new Recognition();
  recognition.lang = lang === "zh_CN" ? "zh-CN" : "en-US";
  recognition.interimResults = false;
  recognition.continuous = true;
  return recognition;
}

export const canDictate = () => Boolean(self.SpeechRecognition || self.webkitSpeechRecognition);

// A signature pad: pointer events (finger, pen or mouse) drawn on a canvas sized to its box in device pixels.
export function signaturePad(canvas) {
  const ratio = self.devicePixelRatio || 1;
  const box = canvas.getBoundingClientRect();
  canvas.width = Math.round(box.width * ratio);
  canvas.height = Math.round(box.height * ratio);
  const context = canvas.getContext("2d");
  context.scale(ratio, ratio);
  context.lineWidth = 2.5;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#111";
  let drawing = false;
  let strokes = 0;
  const at = (event) => {
    const r = canvas.getBoundingClientRect();
    return [event.clientX - r.left, event.clientY - r.top];
  };
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    strokes += 1;
    canvas.setPointerCapture(event.pointerId);
    context.beginPath();
    context.moveTo(...at(event));
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    context.lineTo(...at(event));
    context.stroke();
  });
  const stop = () => (drawing = false);
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  return {
    isEmpty: () => strokes === 0,
    clear() {
      context.clearRect(0, 0, canvas.width, canvas.height);
      strokes = 0;
    },
    png: () => canvas.toDataURL("image/png"),
  };
}
