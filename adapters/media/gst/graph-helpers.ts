/**
 * Building blocks for the worker's GStreamer graphs (audio in media-engine.ts, video in
 * video-engine.ts): each either gives what it asks for or throws with the element and pad named,
 * since a missing plugin or a failed link is a bug in the graph, never a caller's input.
 */
import type { GstBin, GstElement, GstPad, Gstreamer } from './gstreamer.js'

/** A new element with its properties set; properties given as undefined are left at their defaults. */
export const makeElement = (gst: Gstreamer, factory: string, name: string, properties: Readonly<Record<string, unknown>>): GstElement => {
  const element = gst.makeElement(factory, name)
  if (element === null) throw new Error(`GStreamer element ${factory} missing`)
  for (const [key, value] of Object.entries(properties)) if (value !== undefined) gst.setProperty(element, key, value)
  return element
}

export const elementByName = (bin: GstBin, name: string): GstElement => {
  const element = bin.getByName(name)
  if (element === null) throw new Error(`no element ${name} in its bin`)
  return element
}

export const staticPadOf = (element: GstElement, name: string): GstPad => {
  const pad = element.getStaticPad(name)
  if (pad === null) throw new Error(`${element.name} has no ${name} pad`)
  return pad
}

export const requestPadOf = (element: GstElement, template: string): GstPad => {
  const pad = element.requestPadSimple(template)
  if (pad === null) throw new Error(`${element.name} gave no ${template} pad`)
  return pad
}

export const linkPads = (src: GstPad, sink: GstPad): void => {
  const result = src.link(sink)
  if (result !== 0) throw new Error(`cannot link ${src.getParent()?.name}:${src.name} to ${sink.getParent()?.name}:${sink.name} (${result})`)
}
