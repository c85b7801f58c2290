/**
 * The REST pipeline's HTTP statuses as gRPC status codes, following google.rpc.Code's documented HTTP mapping
 * (googleapis google/rpc/code.proto): the message stays the REST `{"error": ...}` text, word for word.
 */
import { status as Status } from '@grpc/grpc-js';

export function grpcCodeOf(httpStatus: number): Status {
  switch (httpStatus) {
    case 200:
      return Status.OK;
    case 400:
    case 415:
      return Status.INVALID_ARGUMENT;
    case 401:
      return Status.UNAUTHENTICATED;
    case 403:
      return Status.PERMISSION_DENIED;
    case 404:
      return Status.NOT_FOUND;
    case 409:
      return Status.ABORTED;
    case 413:
    case 429:
      return Status.RESOURCE_EXHAUSTED;
    case 422:
      return Status.FAILED_PRECONDITION;
    case 501:
      return Status.UNIMPLEMENTED;
    case 503:
      return Status.UNAVAILABLE;
    case 504:
      return Status.DEADLINE_EXCEEDED;
    default:
      return httpStatus >= 500 ? Status.INTERNAL : Status.UNKNOWN;
  }
}

/** `INVALID_ARGUMENT` for 3: the name metrics and audit records use. */
export function grpcCodeName(code: Status): string {
  return Status[code] ?? String(code);
}
