import { GRID_COLUMNS, type Tile } from "./schema.ts";

/**
 * Places tiles left to right in rows of the 12-column grid, starting a new row when a tile does
 * not fit; a row is as tall as its tallest tile. The built-in planner's only layout rule, so its
 * plans never overlap by construction.
 */
export class RowPacker {
  private x = 0;
  private y: number;
  private rowHeight = 0;

  constructor(startY = 0) {
    this.y = startY;
  }

  place(w: number, h: number): Tile {
    const width = Math.min(GRID_COLUMNS, Math.max(1, w));
    if (this.x + width > GRID_COLUMNS) this.newRow();
    const tile = { x: this.x, y: this.y, w: width, h };
    this.x += width;
    this.rowHeight = Math.max(this.rowHeight, h);
    return tile;
  }

  newRow(): void {
    if (this.x === 0) return;
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}
