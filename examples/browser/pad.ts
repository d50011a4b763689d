// The drawing pad: a large canvas the user draws on with a mouse, pen or finger (pointer events), white
// strokes on black as Fashion-MNIST's images are (a light object on a dark ground), read back downscaled
// to the model's H × W as 8-bit gray.
import { rgbaToGray } from './pixels.js';

export class DrawingPad {
  readonly #canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  #last: { x: number; y: number } | undefined;

  /** `onStroke` runs after each stroke ends. */
  constructor(canvas: HTMLCanvasElement, onStroke: () => void) {
    this.#canvas = canvas;
    this.#ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    canvas.style.touchAction = 'none'; // a finger draws instead of scrolling the page
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.#last = this.#at(e);
      this.#line(this.#last, this.#last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (this.#last === undefined) return;
      const p = this.#at(e);
      this.#line(this.#last, p);
      this.#last = p;
    });
    const end = (): void => {
      if (this.#last === undefined) return;
      this.#last = undefined;
      onStroke();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  clear(): void {
    this.#ctx.fillStyle = '#000';
    this.#ctx.fillRect(0, 0, this.#canvas.width, this.#canvas.height);
  }

  /** The drawing as height × width gray pixels (0-255). */
  pixels(height: number, width: number): Uint8Array {
    const small = document.createElement('canvas');
    small.width = width;
    small.height = height;
    const ctx = small.getContext('2d', { willReadFrequently: true })!;
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(this.#canvas, 0, 0, width, height);
    return rgbaToGray(ctx.getImageData(0, 0, width, height).data);
  }

  #at(e: PointerEvent): { x: number; y: number } {
    const r = this.#canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * this.#canvas.width, y: ((e.clientY - r.top) / r.height) * this.#canvas.height };
  }

  #line(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const ctx = this.#ctx;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = this.#canvas.width / 12;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  }
}
