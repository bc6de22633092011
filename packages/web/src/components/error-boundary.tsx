import { Component, type ReactNode } from "react";
import { ErrorState } from "./states.tsx";

/**
 * A page that throws (or a chunk that fails to load after a deploy) shows a message and a way
 * out instead of a blank screen; the rest of the app keeps working.
 */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidUpdate(prev: { resetKey: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  override render() {
    if (this.state.error) {
      return (
        <ErrorState
          title="This page could not be shown"
          error={this.state.error}
          onRetry={() => window.location.reload()}
        />
      );
    }
    return this.props.children;
  }
}
