import fs from 'node:fs/promises'
import path from 'node:path'
import { randomToken } from '../../lib/tokens.js'
import { photoExtension, type PhotoMime } from './photos.js'

/**
 * Photo files under CHORUS_DATA_DIR/uploads/YYYY/MM/<random>.<ext>. A file is written to a
 * temporary name, flushed to disk and renamed, so a stored name never points at half a file; the
 * database row that refers to it is written only afterwards.
 */

export async function storePhotoFile(uploadsDir: string, bytes: Buffer, mime: PhotoMime, now: string): Promise<string> {
  const month = now.slice(0, 7).replace('-', '/')
  const name = `${month}/${randomToken(18)}.${photoExtension[mime]}`
  const target = path.join(uploadsDir, name)
  await fs.mkdir(path.dirname(target), { recursive: true })
  const temp = `${target}.tmp`
  const handle = await fs.open(temp, 'wx', 0o640)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await fs.rename(temp, target)
  return name
}

/** The absolute path of a stored name; refuses anything that would leave the uploads folder. */
export function storedPath(uploadsDir: string, storedName: string): string {
  const root = path.resolve(uploadsDir)
  const full = path.resolve(root, storedName)
  if (!full.startsWith(root + path.sep)) throw new Error(`stored name escapes the uploads folder: ${storedName}`)
  return full
}

export const readPhotoFile = (uploadsDir: string, storedName: string): Promise<Buffer> => fs.readFile(storedPath(uploadsDir, storedName))

export async function deletePhotoFile(uploadsDir: string, storedName: string): Promise<void> {
  await fs.rm(storedPath(uploadsDir, storedName), { force: true })
}
