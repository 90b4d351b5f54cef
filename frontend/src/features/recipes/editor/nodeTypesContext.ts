import { createContext, useContext } from 'react';
import type { NodeTypeInfo, NodeTypeMap } from '../graph/types';

/** The server's node types (ports, titles, params schemas), for every node on the canvas. */
export const NodeTypesContext = createContext<NodeTypeMap>(new Map());

export function useNodeTypeInfo(type: string): NodeTypeInfo | undefined {
  return useContext(NodeTypesContext).get(type);
}

export function useNodeTypeMap(): NodeTypeMap {
  return useContext(NodeTypesContext);
}
