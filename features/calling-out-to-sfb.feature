Feature: A meeting room or another system calls a Skype for Business user
  Guide, "Calling out to a Skype for Business / Lync user from within a Pexip conference":
  "Skype for Business / Lync users can also be called from a VMR or other endpoint. When a VMR or
  other endpoint calls your Skype for Business / Lync address, an alert pops up on your screen in
  the same manner as when another Skype for Business / Lync user calls you."
  DESIGN §2: a VMR (an automatically dialled participant) or a gateway call can call an SfB
  user; the SfB client rings like any SfB call.

  Background:
    Given Parley runs the demo configuration
    And Alice uses Skype for Business
    And Carol uses Skype for Business
    And Dave uses a SIP room system at room1@rooms.example.com
    And the gateway rule "Skype users":
      | priority          | 30                  |
      | match_string      | [a-z]+@example\.com |
      | outgoing_protocol | mssip               |
      | mssip_proxy       | fe.example.com      |

  Scenario: A meeting room calls a Skype for Business user, who answers
    Given "Bob's room" automatically dials carol@example.com with:
      | protocol | mssip |
    And Dave dials meet.bob@example.com
    When 10 seconds pass
    Then Carol gets a call from "Bob's room"
    When Carol answers
    Then Carol is in "Bob's room"
    And Dave sees Carol
    And Carol sees Dave

  Scenario: A Skype for Business user in the meeting room hears it call a colleague
    Given "Bob's room" automatically dials carol@example.com with:
      | protocol | mssip |
      | role     | chair |
    And Alice dials meet.bob@example.com
    When 10 seconds pass
    And Carol answers
    Then Alice sees Carol
    And Carol sees Alice

  Scenario: A Skype for Business user who declines is not called again
    Given "Bob's room" automatically dials carol@example.com with:
      | protocol | mssip |
    And Dave dials meet.bob@example.com
    And 10 seconds pass
    When Carol declines the call
    And 1 hour passes
    Then Carol was called 1 time
    And Dave is in "Bob's room"

  Scenario: A room system calls a Skype for Business user through the gateway
    When Dave dials carol@example.com
    Then Carol gets a call from "Dave"
    When Carol answers
    Then Carol and Dave are in a call together

  # The web app has no wire form until a WebRTC adapter exists (DESIGN §5: not on the wire yet).
  @sim-only
  Scenario: The web app calls a Skype for Business user through the gateway
    Given Frank uses the web app
    When Frank dials carol@example.com
    Then Carol gets a call from "Frank"
    When Carol answers
    Then Carol and Frank are in a call together

  Scenario: A Skype for Business user who is away lets it ring
    Given Carol does not answer calls
    When Dave dials carol@example.com
    Then Carol gets a call from "Dave"
    And Dave hears ringing

  Scenario: The caller gives up before the Skype for Business user answers
    Given Carol does not answer calls
    And Dave dials carol@example.com
    When Dave hangs up
    Then Carol's call stops ringing

  Scenario: A Skype for Business address the gateway does not reach is not called
    Given Dave dials carol@contoso.com
    Then Dave's call fails
